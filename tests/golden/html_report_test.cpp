// Renders the HTML plan report in headless Chromium (Debian's chromium) and checks that the
// stack graph picture and the per-stack tables are really there after the browser parsed it.
// Skips, with a warning, where chromium is not installed.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

bool HaveChromium() { return std::system("command -v chromium >/dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("the HTML plan report renders in headless Chromium", "[golden]") {
  if (!HaveChromium()) {
    WARN("chromium is not installed: HTML rendering check skipped (apt-get install chromium)");
    SUCCEED();
    return;
  }
  char dir_template[] = "/tmp/cfnsplit-html-XXXXXX";
  std::string dir = mkdtemp(dir_template);
  std::string page = dir + "/page.html";
  std::string run = std::string("cd ") + CFNSPLIT_SOURCE_DIR + " && " + CFNSPLIT_BINARY +
                    " plan tests/data/golden/small.yaml --strategy auto -o " + dir + "/plan.yaml --format html > " +
                    page;
  REQUIRE(std::system(run.c_str()) == 0);
  std::string flags =
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--user-data-dir=" +
      dir + "/profile ";
  std::string dom_cmd = "timeout 60 chromium" + flags + "--dump-dom file://" + page + " > " + dir +
                        "/dom.html 2>/dev/null";
  REQUIRE(std::system(dom_cmd.c_str()) == 0);
  std::string dom = ReadAll(dir + "/dom.html");
  CHECK(dom.find("<svg") != std::string::npos);
  CHECK(dom.find("id=\"stack-graph\"") != std::string::npos);
  CHECK(Count(dom, "data-stack=\"") == 3);               // Base and two function stacks
  CHECK(Count(dom, "<table class=\"resources\"") == 3);  // one table per stack
  CHECK(dom.find("All constraints hold.") != std::string::npos);
  CHECK(Count(dom, "<g class=\"stack\">") == 3);  // one box per stack in the picture
  std::string shot_cmd = "timeout 60 chromium" + flags +
                         "--window-size=1200,900 --screenshot=" + dir + "/shot.png file://" + page +
                         " >/dev/null 2>&1";
  REQUIRE(std::system(shot_cmd.c_str()) == 0);
  struct stat st {};
  REQUIRE(stat((dir + "/shot.png").c_str(), &st) == 0);
  CHECK(st.st_size > 5000);  // a real picture, not an empty canvas
  std::system(("rm -rf " + dir).c_str());
}
