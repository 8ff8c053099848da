// The subcommand table: each command registers its flags and runs against a Session.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <vector>

#include "cli/session.hpp"

namespace cfnsplit::cli {

class Command {
 public:
  virtual ~Command() = default;
  /// Adds the subcommand and its options to `app`; returns it.
  virtual CLI::App* Register(CLI::App& app) = 0;
  virtual int Run(Session& session) = 0;
  bool parsed() const { return app_ && app_->parsed(); }

 protected:
  CLI::App* app_ = nullptr;
};

/// Every command, in the order `--help` lists them (commands.cpp: the one list to add a
/// command to).
std::vector<std::unique_ptr<Command>> AllCommands();

}  // namespace cfnsplit::cli
