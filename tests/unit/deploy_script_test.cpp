// deploy.sh against a stand-in `aws` on PATH: a failed deploy must print the FAILED events of the
// stack and of its nested children (the cause hides in a child; the peer's users dig through the
// console for it), exit 1, and the CLI's retries on throttling must be on by default.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A stand-in for the aws CLI: `package` copies the template, `deploy` fails as a rolled-back
// create does, and describe-stack-events answers per stack and per query. Every call is logged
// with the retry settings it saw.
constexpr const char* kFakeAws = R"sh(#!/bin/sh
echo "AWS_RETRY_MODE=$AWS_RETRY_MODE AWS_MAX_ATTEMPTS=$AWS_MAX_ATTEMPTS $*" >> "$FAKE_AWS_LOG"
case "$*" in
  *"cloudformation package"*)
    while [ $# -gt 0 ]; do
      case "$1" in
        --template-file) in=$2 ;;
        --output-template-file) out=$2 ;;
      esac
      shift
    done
    cp "$in" "$out" ;;
  *"cloudformation deploy"*)
    echo "Waiter StackCreateComplete failed: Waiter encountered a terminal failure state" >&2
    exit 255 ;;
  *"describe-stack-events --stack-name svc "*"PhysicalResourceId!=StackId"*)
    printf 'arn:aws:cloudformation:us-east-1:123456789012:stack/svc-Functions-1ABC/uuid-1\t'
    printf 'arn:aws:cloudformation:us-east-1:123456789012:stack/svc-Functions-1ABC/uuid-1\n' ;;
  *"describe-stack-events --stack-name svc "*)
    printf 'Functions\tCREATE_FAILED\tEmbedded stack arn:aws:cloudformation:us-east-1:123456789012:stack/svc-Functions-1ABC/uuid-1 was not successfully created\n' ;;
  *"describe-stack-events --stack-name arn:aws:cloudformation:us-east-1:123456789012:stack/svc-Functions-1ABC/uuid-1 "*)
    printf 'ReportFunction\tCREATE_FAILED\tUnzipped size must be smaller than 262144000 bytes\n' ;;
  *) exit 0 ;;
esac
)sh";

int RunShell(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("deploy.sh: a failed deploy prints the nested children's FAILED events and exits 1",
          "[unit][emit][deploy]") {
  fs::path dir = fs::temp_directory_path() / ("cfnsplit-deploy-script-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "bin");
  const fs::path out = dir / "out";
  const std::string sample =
      std::string(CFNSPLIT_SOURCE_DIR) + "/samples/handwritten/template.yaml";
  REQUIRE(RunShell(std::string(CFNSPLIT_BINARY) + " split '" + sample + "' -o '" + out.string() +
                   "' --mode nested --strategy lifecycle > /dev/null 2>&1") == 0);
  {
    std::ofstream aws(dir / "bin" / "aws");
    aws << kFakeAws;
  }
  fs::permissions(dir / "bin" / "aws", fs::perms::owner_all);
  const fs::path log = dir / "aws.log", err = dir / "stderr.txt";
  const std::string env = "PATH='" + (dir / "bin").string() + "':\"$PATH\" FAKE_AWS_LOG='" +
                          log.string() + "' AWS_RETRY_MODE= AWS_MAX_ATTEMPTS= ";
  // unset-but-empty is "not chosen": deploy.sh's defaults apply (${VAR:-default}).
  int rc = RunShell(env + "sh '" + (out / "deploy.sh").string() +
                    "' --region us-east-1 --stack-name svc --bucket b --parameter DbPassword=x "
                    "--parameter ReportingSubnetIds=subnet-1 > /dev/null 2> '" +
                    err.string() + "'");
  const std::string said = ReadAll(err);
  INFO(said);
  CHECK(rc == 1);
  CHECK(said.find("deploy.sh: stack svc failed") != std::string::npos);
  CHECK(said.find("svc: Functions\tCREATE_FAILED\tEmbedded stack") != std::string::npos);
  CHECK(said.find("svc-Functions-1ABC/uuid-1: ReportFunction\tCREATE_FAILED\tUnzipped size must be "
                  "smaller than 262144000 bytes") != std::string::npos);
  // The parameter values never reach the log of what was printed.
  CHECK(said.find("DbPassword=x") == std::string::npos);
  const std::string calls = ReadAll(log);
  CHECK(calls.find("AWS_RETRY_MODE=standard AWS_MAX_ATTEMPTS=10 --region us-east-1 cloudformation "
                   "deploy") != std::string::npos);
  fs::remove_all(dir);
}
