namespace Engine.Data;

/// <summary>A data set's files are not where they were looked for; the message says how to get them.</summary>
public sealed class DataSetNotFoundException(string message) : FileNotFoundException(message);
