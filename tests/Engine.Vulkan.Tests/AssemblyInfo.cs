// The tests share one device and its one queue (and the host-wait counter): run them one at a time.
[assembly: DoNotParallelize]
