#include "cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cfnsplit/timings.hpp"
#include "cli/commands.hpp"

namespace cfnsplit::cli {

namespace {

void AddCommonOptions(CLI::App& cmd, CommonOptions& common) {
  cmd.add_option("--rules", common.rules_dir,
                 "Read rules/*.yaml from DIR instead of the built-in set")
      ->check(CLI::ExistingDirectory);
  cmd.add_option("--owner-key", common.owner_key, "Tag or Metadata key naming a resource's owner");
  cmd.add_option("--max-input-bytes", common.max_input_bytes,
                 "Refuse input files larger than this");
  cmd.add_flag("--timings", common.timings,
               "Print CPU and wall seconds per stage and the peak memory to stderr");
}

int RunCommand(Command& command, const CommonOptions& common) {
  Session session(common);
  try {
    return command.Run(session);
  } catch (const std::exception& e) {
    std::cerr << "cfnsplit: internal error: " << e.what() << "\n";
    return kExitInput;
  }
}

}  // namespace

int Run(int argc, char** argv) {
  CLI::App app{
      "cfnsplit: split CloudFormation stacks and Lambda packages that outgrew their limits"};
  app.set_version_flag("--version", "cfnsplit 0.1.0");
  app.require_subcommand(1);
  CommonOptions common;
  common.exit_without_teardown = true;  // this is the process's own entry point
  std::vector<std::unique_ptr<Command>> commands = AllCommands();
  for (auto& command : commands) {
    CLI::App* sub = command->Register(app);
    AddCommonOptions(*sub, common);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitClean : kExitInput;
  }
  for (auto& command : commands)
    if (command->parsed()) {
      if (common.timings) timings::Enable();
      int code = RunCommand(*command, common);
      timings::Print(std::cerr);
      return code;
    }
  return kExitInput;
}

}  // namespace cfnsplit::cli
