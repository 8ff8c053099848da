#include "cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace cfnsplit::cli {

int Run(int argc, char** argv) {
  CLI::App app{"cfnsplit: split CloudFormation stacks and Lambda packages that outgrew their limits"};
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return 0;
}

}  // namespace cfnsplit::cli
