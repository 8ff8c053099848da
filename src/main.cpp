// cfnsplit: a thin shell over the library; every command lives in src/cli/.
#include "cli/cli.hpp"

int main(int argc, char** argv) { return cfnsplit::cli::Run(argc, argv); }
