// The command table: adding a command is a MakeXCommand in its cmd_*.cpp plus one line here.
#include "cli/commands.hpp"

namespace cfnsplit::cli {

// Defined in the cmd_*.cpp files; declared here only, since nothing else makes commands.
std::unique_ptr<Command> MakeAnalyzeCommand();
std::unique_ptr<Command> MakeGraphCommand();
std::unique_ptr<Command> MakeRulesCommand();
std::unique_ptr<Command> MakePlanCommand();
std::unique_ptr<Command> MakeReviewCommand();
std::unique_ptr<Command> MakeEmitCommand();
std::unique_ptr<Command> MakeSplitCommand();
std::unique_ptr<Command> MakeVerifyCommand();
std::unique_ptr<Command> MakePackageCommand();
std::unique_ptr<Command> MakeMigrateCommand();
std::unique_ptr<Command> MakeCodesCommand();

std::vector<std::unique_ptr<Command>> AllCommands() {
  std::vector<std::unique_ptr<Command>> all;
  all.push_back(MakeAnalyzeCommand());
  all.push_back(MakeGraphCommand());
  all.push_back(MakePlanCommand());
  all.push_back(MakeReviewCommand());
  all.push_back(MakeEmitCommand());
  all.push_back(MakeSplitCommand());
  all.push_back(MakeVerifyCommand());
  all.push_back(MakePackageCommand());
  all.push_back(MakeMigrateCommand());
  all.push_back(MakeRulesCommand());
  all.push_back(MakeCodesCommand());
  return all;
}

}  // namespace cfnsplit::cli
