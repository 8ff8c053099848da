// The command table: adding a command is a MakeXCommand in its cmd_*.cpp plus one line here.
#include "cli/commands.hpp"

namespace cfnsplit::cli {

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
