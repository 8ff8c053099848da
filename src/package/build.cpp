// BuildArtifacts: stacks → file lists → zips written in parallel → read back and checked.
//
// Order of work: every stack's contents are selected and sized first (so an over-limit stack
// stops the run before a byte is written), `.so` files are stripped once each when slim asks
// for it, the zips are written by a pool of threads (one stack per thread at a time, largest
// first), and each zip is read back through the sizing stage's central-directory reader: the
// totals that are reported and checked against Lambda's limit are those of the written file.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "cfnsplit/numbers.hpp"
#include "cfnsplit/plan.hpp"
#include "cfnsplit/python_files.hpp"
#include "cfnsplit/timings.hpp"
#include "package/contents.hpp"
#include "package/zip_writer.hpp"

extern char** environ;

namespace cfnsplit {
namespace fs = std::filesystem;
using package::StackContents;
using package::ZipItem;
namespace {

constexpr std::size_t kTopContributors = 8;

// Runs `work(i)` for i in [0, n) on up to `jobs` threads.
template <typename Work>
void ParallelFor(std::size_t n, unsigned jobs, Work work) {
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < n; i = next++) work(i);
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs && t < n; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
}

bool StripAvailable() {
  for (const char* dir : {"/usr/bin/", "/bin/", "/usr/local/bin/"})
    if (access((std::string(dir) + "strip").c_str(), X_OK) == 0) return true;
  return false;
}

// `strip -o out in`, as serverless-python-requirements runs strip on every .so (aws-facts §4.3).
bool RunStrip(const std::string& in, const std::string& out) {
  std::vector<std::string> args = {"strip", "-o", out, in};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "strip", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string FileSha256(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  Sha256 hasher;
  std::vector<char> buf(1 << 20);
  ssize_t n = 0;
  while ((n = read(fd, buf.data(), buf.size())) > 0)
    hasher.Update(buf.data(), static_cast<std::size_t>(n));
  close(fd);
  return n < 0 ? "" : hasher.HexDigest();
}

std::vector<std::pair<std::string, std::uint64_t>> Contributors(const StackContents& c) {
  std::map<std::string, std::uint64_t> by_owner;
  for (const ZipItem& item : c.items) by_owner[item.owner] += item.size;
  std::vector<std::pair<std::string, std::uint64_t>> out(by_owner.begin(), by_owner.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

std::string Percent(std::uint64_t part, std::uint64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", whole ? 100.0 * part / whole : 0.0);
  return buf;
}

class Builder {
 public:
  Builder(const TemplateModel& model, const PackageModel& packages, const BuildOptions& options,
          SourceManager& sources, DiagnosticSink& sink)
      : model_(model),
        packages_(packages),
        options_(options),
        sources_(sources),
        sink_(sink),
        contents_(model, packages, options, sources, sink) {
    jobs_ = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  }

  std::optional<PackageResult> Run(const std::vector<ArtifactRequest>& requests,
                                   const std::vector<LayerRequest>& layers) {
    if (!contents_.Open()) return std::nullopt;
    // Every zip is selected and sized before one is written: stacks first (in request order,
    // recipe-only stacks apart), then layers.
    std::vector<StackContents> stacks, recipes_only;
    std::vector<std::uint64_t> plan_bytes;
    bool ok = true;
    for (const ArtifactRequest& r : requests) {
      auto c = contents_.ForStack(r);
      ok = ok && c.has_value();
      if (!c) continue;
      if (!r.zip) {
        recipes_only.push_back(std::move(*c));
        continue;
      }
      stacks.push_back(std::move(*c));
      plan_bytes.push_back(r.plan_bytes);
    }
    const std::size_t stack_zips = stacks.size();
    for (const LayerRequest& l : layers) {
      auto c = contents_.ForLayer(l);
      ok = ok && c.has_value();
      if (!c) continue;
      built_layer_index_[l.layer] = stacks.size();
      stacks.push_back(std::move(*c));
      plan_bytes.push_back(packages_.layers[l.layer].unzipped_bytes);
    }
    if (!ok) return std::nullopt;
    std::error_code ec;
    fs::create_directories(options_.staging_dir + "/packages", ec);
    if (contents_.slim() && packages_.settings.strip && !StripObjects(stacks)) return std::nullopt;
    if (!PackRequirements(stacks)) return std::nullopt;
    for (StackContents& c : stacks) c.layer_bytes = LayerBytes(c, stacks);
    for (std::size_t i = 0; i < stacks.size(); ++i)
      ok = CheckLimit(stacks[i], stacks[i].total(), plan_bytes[i]) && CheckTmp(stacks[i]) && ok;
    if (!ok) return std::nullopt;
    PackageResult result;
    result.artifacts = WriteZips(stacks, plan_bytes);
    if (result.artifacts.empty() && !stacks.empty()) return std::nullopt;
    for (std::size_t i = 0; i < stacks.size(); ++i)
      ok = ReadBack(stacks[i], plan_bytes[i], result.artifacts[i]) && ok;
    if (!ok) return std::nullopt;
    for (std::size_t i = 0; i < layers.size() && stack_zips + i < result.artifacts.size(); ++i)
      result.artifacts[stack_zips + i].stack = layers[i].stack;
    for (const auto* group : {&stacks, &recipes_only})
      for (const StackContents& c : *group)
        for (const std::string& fn : c.image_functions) AddImageRecipe(c, fn, result.files);
    return result;
  }

 private:
  // Strips each distinct .so once (in parallel) and points the items at the stripped copies.
  bool StripObjects(std::vector<StackContents>& stacks) {
    if (!StripAvailable()) {
      sink_.Warning("W7012", {},
                    "slim: `strip` (binutils) is not installed, so shared objects are packed "
                    "unstripped (larger than the plan's slim estimate)");
      return true;
    }
    struct Copy {
      std::string path;
      bool ok = false;
    };
    std::map<std::string, Copy> stripped;  // source → its stripped copy
    for (const StackContents& c : stacks)
      for (const auto* list : {&c.items, &c.requirements})
        for (const ZipItem& item : *list)
          if (item.owner != "code" && item.name.size() > 3 &&
              item.name.compare(item.name.size() - 3, 3, ".so") == 0)
            stripped.emplace(item.source, Copy{});
    std::vector<std::pair<const std::string, Copy>*> work;
    for (auto& entry : stripped) {
      entry.second.path = options_.staging_dir + "/.strip/" + std::to_string(work.size()) + ".so";
      work.push_back(&entry);
    }
    std::error_code ec;
    fs::create_directories(options_.staging_dir + "/.strip", ec);
    ParallelFor(work.size(), jobs_, [&](std::size_t i) {
      work[i]->second.ok = RunStrip(work[i]->first, work[i]->second.path);
    });
    for (auto& c : stacks)
      for (auto* list : {&c.items, &c.requirements})
        for (ZipItem& item : *list) {
          auto it = stripped.find(item.source);
          struct stat st {};
          // A file strip refuses (not ELF, say) ships as it is.
          if (it == stripped.end() || !it->second.ok || stat(it->second.path.c_str(), &st) != 0)
            continue;
          c.delta.stripped += item.size - std::min<std::uint64_t>(item.size, st.st_size);
          item.source = it->second.path;
          item.size = static_cast<std::uint64_t>(st.st_size);
        }
    return true;
  }

  // SPR's zip: true (aws-facts §4.4): each stack's dependencies are packed into its own
  // .requirements.zip (deflate level 9, as SPR), read back for what /tmp must hold, and the
  // artifact ships that zip and unzip_requirements.py at its root instead of the files.
  bool PackRequirements(std::vector<StackContents>& stacks) {
    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < stacks.size(); ++i)
      if (!stacks[i].requirements.empty()) todo.push_back(i);
    if (todo.empty()) return true;
    const std::string dir = options_.staging_dir + "/.requirements";
    const std::string helper = dir + "/unzip_requirements.py";
    std::error_code ec;
    fs::create_directories(dir, ec);
    const std::string text = UnzipRequirementsHelper();
    if (FILE* f = std::fopen(helper.c_str(), "wb")) {
      std::fwrite(text.data(), 1, text.size(), f);
      std::fclose(f);
    }
    std::vector<std::string> errors(stacks.size());
    ParallelFor(todo.size(), jobs_, [&](std::size_t k) {
      std::size_t i = todo[k];
      package::ZipWriter writer(9);
      bool ok = writer.Open(dir + "/" + std::to_string(i) + ".zip");
      for (const ZipItem& item : stacks[i].requirements)
        ok = ok && writer.AddFile(item.name, item.source, item.size, item.executable);
      if (!(ok && writer.Finish())) errors[i] = writer.error();
    });
    bool ok = true;
    for (std::size_t i : todo) {
      StackContents& c = stacks[i];
      const std::string path = dir + "/" + std::to_string(i) + ".zip";
      auto entries = errors[i].empty() ? sizing::ReadZipFile(path, sources_, sink_) : std::nullopt;
      if (!entries) {
        sink_.Error("E7009", {},
                    "stack " + c.stack + ": cannot write its .requirements.zip" +
                        (errors[i].empty() ? "" : ": " + errors[i]));
        ok = false;
        continue;
      }
      for (const auto& e : *entries) c.tmp_bytes += e.uncompressed;
      struct stat st {};
      stat(path.c_str(), &st);
      c.items.push_back({".requirements.zip", path, static_cast<std::uint64_t>(st.st_size), false,
                         ".requirements.zip"});
      if (!c.by_name.count("unzip_requirements.py"))  // the service's own copy wins
        c.items.push_back({"unzip_requirements.py", helper, text.size(), false, "code"});
      std::sort(c.items.begin(), c.items.end(),
                [](const ZipItem& a, const ZipItem& b) { return a.name < b.name; });
    }
    return ok;
  }

  // A stack's layer total: the most any of its functions lists, built layers by their files.
  std::uint64_t LayerBytes(const StackContents& c, const std::vector<StackContents>& zips) const {
    std::uint64_t most = 0;
    for (const auto& layers : c.function_layers) {
      std::uint64_t sum = 0;
      for (std::uint32_t l : layers) {
        auto built = built_layer_index_.find(l);
        sum += built != built_layer_index_.end() ? zips[built->second].total()
                                                 : packages_.layers[l].unzipped_bytes;
      }
      most = std::max(most, sum);
    }
    return most;
  }

  // zip: true extracts the dependencies into /tmp at the first cold start: they must fit the
  // smallest ephemeral storage of the stack's functions, or every cold start fails (E7013).
  bool CheckTmp(const StackContents& c) {
    if (c.tmp_bytes <= c.ephemeral_bytes) return true;
    std::string function = c.zip_functions.empty() ? "" : c.zip_functions.front();
    const Resource* res = model_.FindResource(function);
    sink_.Error("E7013", res ? res->loc : SourceLoc{},
                "stack " + c.stack + ": its .requirements.zip extracts " +
                    GroupDigits(c.tmp_bytes) + " bytes into /tmp, more than its functions' " +
                    GroupDigits(c.ephemeral_bytes) +
                    " bytes of ephemeral storage; nothing was written",
                {"raise EphemeralStorage (up to 10,240 MB), or split the stack's functions"});
    return false;
  }

  // Each zip function with its layers must stay under the limit; the error names the biggest
  // contributors so the user sees what to move out.
  bool CheckLimit(const StackContents& c, std::uint64_t unzipped, std::uint64_t plan_bytes) {
    if (unzipped + c.layer_bytes < packages_.limits.unzipped_bytes) return true;
    std::string function = c.zip_functions.empty() ? "" : c.zip_functions.front();
    const Resource* res = model_.FindResource(function);
    std::vector<std::string> notes;
    auto top = Contributors(c);
    for (std::size_t i = 0; i < top.size() && i < kTopContributors; ++i)
      notes.push_back(top[i].first + ": " + GroupDigits(top[i].second) + " bytes (" +
                      Percent(top[i].second, unzipped) + ")");
    if (c.layer_bytes) notes.push_back("layers: " + GroupDigits(c.layer_bytes) + " bytes");
    notes.push_back("the plan counted " + GroupDigits(plan_bytes) +
                    " bytes (it measures code only from manifest or CodeUri folders); move "
                    "functions or files out of this stack, or re-plan with the code measured");
    if (!c.layer_id.empty()) res = model_.FindResource(c.layer_id);
    sink_.Error("E7006", res ? res->loc : SourceLoc{},
                (c.layer_id.empty() ? "stack " : "layer ") + c.stack + ": its artifact unzips to " +
                    GroupDigits(unzipped) + " bytes" +
                    (c.layer_bytes ? " plus " + GroupDigits(c.layer_bytes) + " of layers" : "") +
                    ", over Lambda's limit of " + GroupDigits(packages_.limits.unzipped_bytes) +
                    " (by " +
                    GroupDigits(unzipped + c.layer_bytes - packages_.limits.unzipped_bytes) +
                    "); nothing was written",
                notes);
    return false;
  }

  std::vector<BuiltArtifact> WriteZips(const std::vector<StackContents>& stacks,
                                       const std::vector<std::uint64_t>& plan_bytes) {
    std::vector<BuiltArtifact> out(stacks.size());
    std::vector<std::string> errors(stacks.size());
    std::vector<std::size_t> order(stacks.size());
    std::uint64_t total_bytes = 0;
    for (std::size_t i = 0; i < stacks.size(); ++i) {
      order[i] = i;
      total_bytes += stacks[i].total();
    }
    // Largest first keeps the threads busy to the end.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return stacks[a].total() > stacks[b].total();
    });
    std::atomic<std::uint64_t> bytes_done{0};
    std::atomic<std::size_t> stacks_done{0};
    std::atomic<bool> finished{false};
    std::thread progress;
    if (options_.progress)
      progress = std::thread([&] {
        while (!finished) {
          std::fprintf(stderr, "\rpackaging: %zu/%zu stacks, %s of %s bytes", stacks_done.load(),
                       stacks.size(), GroupDigits(bytes_done).c_str(),
                       GroupDigits(total_bytes).c_str());
          std::fflush(stderr);
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        std::fprintf(stderr, "\r%80s\r", "");
      });
    ParallelFor(order.size(), jobs_, [&](std::size_t k) {
      std::size_t i = order[k];
      const StackContents& c = stacks[i];
      BuiltArtifact& a = out[i];
      a.stack = c.stack;
      a.layer = c.layer_id;
      a.limit_bytes = packages_.limits.unzipped_bytes;
      a.file = "packages/" + c.stack + ".zip";
      a.path = options_.staging_dir + "/" + a.file;
      package::ZipWriter writer(options_.level);
      bool ok = writer.Open(a.path);
      for (const ZipItem& item : c.items) {
        if (!ok) break;
        ok = writer.AddFile(item.name, item.source, item.size, item.executable);
        bytes_done += item.size;
      }
      ok = ok && writer.Finish();
      if (!ok) errors[i] = writer.error();
      if (ok) a.sha256 = FileSha256(a.path);
      ++stacks_done;
    });
    finished = true;
    if (progress.joinable()) progress.join();
    bool ok = true;
    for (std::size_t i = 0; i < stacks.size(); ++i) {
      if (errors[i].empty() && !out[i].sha256.empty()) continue;
      sink_.Error("E7009", {},
                  "stack " + stacks[i].stack + ": cannot write its artifact: " +
                      (errors[i].empty() ? "cannot hash " + out[i].path : errors[i]));
      ok = false;
    }
    for (std::size_t i = 0; i < stacks.size(); ++i) out[i].plan_bytes = plan_bytes[i];
    return ok ? out : std::vector<BuiltArtifact>{};
  }

  // The written zip, as Lambda will measure it: the central directory's sizes.
  bool ReadBack(const StackContents& c, std::uint64_t plan_bytes, BuiltArtifact& a) {
    auto entries = sizing::ReadZipFile(a.path, sources_, sink_);
    if (!entries) return false;
    std::uint64_t unzipped = 0, zipped = 0;
    bool same = entries->size() == c.items.size();
    for (std::size_t i = 0; i < entries->size(); ++i) {
      unzipped += (*entries)[i].uncompressed;
      zipped += (*entries)[i].compressed;
      same = same && (*entries)[i].name == c.items[i].name &&
             (*entries)[i].uncompressed == c.items[i].size;
    }
    if (!same) {
      sink_.Error("E7009", {},
                  "stack " + c.stack + ": the written artifact '" + a.path +
                      "' does not list the files that were packed (a bug; please report)");
      return false;
    }
    struct stat st {};
    a.files = entries->size();
    a.unzipped = unzipped;
    a.zipped = stat(a.path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : zipped;
    a.layer_bytes = c.layer_bytes;
    a.code_bytes = c.code_bytes;
    a.delta = c.delta;
    a.contributors = Contributors(c);
    a.tmp_bytes = c.tmp_bytes;
    a.ephemeral_bytes = c.tmp_bytes ? c.ephemeral_bytes : 0;
    return CheckLimit(c, unzipped, plan_bytes);
  }

  void AddImageRecipe(const StackContents& c, const std::string& fn,
                      std::vector<EmittedFile>& files) {
    const FunctionPackage* f = packages_.Find(fn);
    const FunctionInfo* info = contents_.FindInfo(fn);
    ImageSpec spec;
    if (info) {
      if (!info->runtime.empty()) spec.runtime = info->runtime;
      spec.architecture = info->architecture;
      spec.handler = info->handler;
    }
    const std::string dir = ImageRecipeDir(c.stack, fn);
    std::string requirements;
    if (f)
      for (std::uint32_t d : f->dists) {
        const Distribution& dist = packages_.dists[d];
        requirements +=
            dist.version.empty() ? dist.name + "\n" : dist.name + "==" + dist.version + "\n";
        spec.requirements.push_back(dist.name);
      }
    std::vector<ZipItem> code;
    for (const package::CodeRoot& root : contents_.CodeRootsFor(f, info))
      if (const auto* items = contents_.CodeFiles(root))
        code.insert(code.end(), items->begin(), items->end());
    std::sort(code.begin(), code.end(),
              [](const ZipItem& a, const ZipItem& b) { return a.name < b.name; });
    code.erase(std::unique(code.begin(), code.end(),
                           [](const ZipItem& a, const ZipItem& b) { return a.name == b.name; }),
               code.end());
    spec.has_code = !code.empty();
    files.push_back({dir + "/Dockerfile", LambdaDockerfile(spec)});
    files.push_back({dir + "/requirements.txt", requirements});
    for (const ZipItem& item : code) files.push_back({dir + "/code/" + item.name, "", item.source});
  }

  const TemplateModel& model_;
  const PackageModel& packages_;
  const BuildOptions& options_;
  SourceManager& sources_;
  DiagnosticSink& sink_;
  package::Contents contents_;
  unsigned jobs_ = 1;
  std::map<std::uint32_t, std::size_t> built_layer_index_;  // layer → its zip among the stacks
};

}  // namespace

std::optional<PackageResult> BuildArtifacts(const TemplateModel& model,
                                            const PackageModel& packages,
                                            const std::vector<ArtifactRequest>& requests,
                                            const BuildOptions& options, SourceManager& sources,
                                            DiagnosticSink& sink) {
  return BuildArtifacts(model, packages, requests, {}, options, sources, sink);
}

std::optional<PackageResult> BuildArtifacts(const TemplateModel& model,
                                            const PackageModel& packages,
                                            const std::vector<ArtifactRequest>& requests,
                                            const std::vector<LayerRequest>& layers,
                                            const BuildOptions& options, SourceManager& sources,
                                            DiagnosticSink& sink) {
  timings::Scope timing("package");
  try {
    return Builder(model, packages, options, sources, sink).Run(requests, layers);
  } catch (const std::exception& e) {
    sink.Error("E7009", {}, std::string("packaging failed: ") + e.what());
    return std::nullopt;
  }
}

}  // namespace cfnsplit
