#include "emit/value_util.hpp"

#include <cstdio>

namespace cfnsplit::util {

std::string Alnum(const std::string& s, std::size_t max) {
  std::string out;
  for (char c : s)
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
  if (out.size() <= max) return out;
  // FNV-1a keeps truncated names distinct and stable.
  std::uint32_t h = 2166136261u;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08X", h);
  return out.substr(0, max - 8) + buf;
}

std::string ArtifactKeyFor(const std::string& key, const std::string& stack,
                           const std::string& sha256) {
  const std::string zip = ".zip";
  const std::string tag = "-" + stack + (sha256.empty() ? "" : "-" + sha256);
  if (key.size() >= zip.size() && key.compare(key.size() - zip.size(), zip.size(), zip) == 0)
    return key.substr(0, key.size() - zip.size()) + tag + zip;
  return key + tag;
}

std::vector<std::string> ValuesRead(const Value& v) {
  std::vector<std::string> out;
  syntax::ForEachReference(v, [&](const syntax::WrittenRef& r) {
    if (r.form == syntax::RefForm::kRef || r.form == syntax::RefForm::kGetAtt ||
        r.form == syntax::RefForm::kSub)
      out.emplace_back(r.target);
  });
  return out;
}

}  // namespace cfnsplit::util
