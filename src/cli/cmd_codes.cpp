// `cfnsplit codes`: the diagnostics registry, as text or as docs/codes.md. A developer command,
// hidden from --help: users read docs/codes.md.
#include <iostream>

#include "cfnsplit/codes.hpp"
#include "cli/commands.hpp"

namespace cfnsplit::cli {
namespace {

class CodesCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    app_ = app.add_subcommand("codes", "Print every diagnostic code (docs/codes.md)");
    app_->group("");  // hidden
    app_->add_option("--format", format_, "text or markdown")
        ->check(CLI::IsMember({"text", "markdown"}));
    return app_;
  }

  int Run(Session&) override {
    std::cout << (format_ == "markdown" ? CodesMarkdown() : CodesText());
    return kExitClean;
  }

 private:
  std::string format_ = "text";
};

}  // namespace

std::unique_ptr<Command> MakeCodesCommand() { return std::make_unique<CodesCommand>(); }

}  // namespace cfnsplit::cli
