// std::ios_base_library_init() for a libstdc++ older than GCC 13 (GLIBCXX_3.4.32). Code built with GCC 13 refers to
// this function instead of constructing a std::ios_base::Init in every file that includes <iostream>, relying on
// the library to set up std::cout and friends; here a static Init, constructed when this library loads, does it.
#include <ios>

namespace std
{
void ios_base_library_init()
{
    static ios_base::Init init;
}
}

__attribute__((constructor)) static void initialize_streams()
{
    std::ios_base_library_init();
}
