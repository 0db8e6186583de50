#include "functions/commands.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "auth/base64.hpp"
#include "control/command.hpp"

namespace ros::functions {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The deployed files: the request must fit in one control line.
constexpr std::size_t kMaxSourceBytes = 700 * 1024;

int run_op(const CommandOptions& o, std::string op, json args, const control::Render& render,
           bool stream = false, std::chrono::milliseconds timeout = control::kDefaultTimeout) {
  config::Loaded loaded = config::load_config(o.config);
  if (!loaded.ok()) {
    std::cerr << loaded.format_errors();
    std::cerr << o.program << ": cannot read the configuration (check it with: ros-check-config "
              << loaded.file_as_given << ")\n";
    return control::kExitRefused;
  }
  control::Command c;
  c.program = o.program;
  c.daemon = "ros-fnd";
  c.socket_dir = loaded.config.effective_socket_dir();
  c.op = std::move(op);
  c.args = std::move(args);
  c.json_output = o.json;
  c.quiet = o.quiet;
  c.timeout = timeout;
  return stream ? control::run_stream_command(c, render) : control::run_command(c, render);
}

int refuse(const CommandOptions& o, const std::string& message) {
  std::cerr << o.program << ": " << message << "\n";
  return control::kExitRefused;
}

std::string date_of(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string text_or(const json& j, const char* key, const char* fallback = "-") {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
}

void print_function(const json& f, std::ostream& out) {
  out << "name:       " << f["name"].get<std::string>() << "\n"
      << "state:      " << f["state"].get<std::string>() << "\n";
  if (f["reason"].is_string()) out << "reason:     " << f["reason"].get<std::string>() << "\n";
  out << "regex:      " << f["regex"].get<std::string>() << "\n"
      << "kind:       " << f["kind"].get<std::string>() << " (" << f["entry"].get<std::string>()
      << ")\n"
      << "deployed:   " << date_of(f["deployed_at"].get<std::int64_t>()) << "\n"
      << "folder:     " << f["folder"].get<std::string>() << "\n"
      << "log:        " << f["log"].get<std::string>() << "\n";
  if (f.contains("events_delivered")) {
    out << "delivered:  " << f["events_delivered"] << " events since ros-fnd started, "
        << f["failed_runs"] << " failed runs\n";
    if (f["last_error"].is_string()) out << "last error: " << f["last_error"].get<std::string>() << "\n";
  }
  if (f.contains("cursors")) {
    for (const auto& [path, version] : f["cursors"].items()) {
      out << "cursor:     " << path << " at version " << version << "\n";
    }
  }
}

Result<json> file_entry(const fs::path& file, const std::string& as) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(Errc::invalid_argument, "cannot read '" + file.string() + "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  struct stat st {};
  ::stat(file.c_str(), &st);
  return json{{"path", as},
              {"mode", static_cast<int>(st.st_mode & 0777)},
              {"content", auth::base64_encode(bytes)},
              {"size", bytes.size()}};
}

}  // namespace

int deploy(const CommandOptions& o, const DeployOptions& d) {
  std::error_code ec;
  const fs::path source(d.source);
  json files = json::array();
  std::string kind;
  std::string entry;
  std::size_t total = 0;
  if (fs::is_directory(source, ec)) {
    kind = "node";
    entry = "index.js";
    for (auto it = fs::recursive_directory_iterator(source, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const auto rel = it->path().lexically_relative(source).generic_string();
      if (it->is_directory() && (rel == "node_modules" || rel.starts_with(".git"))) {
        it.disable_recursion_pending();  // npm install on the server brings the modules
        continue;
      }
      if (!it->is_regular_file()) continue;
      auto f = file_entry(it->path(), rel);
      if (!f) return refuse(o, f.error().message);
      total += (*f)["size"].get<std::size_t>();
      f->erase("size");
      files.push_back(std::move(*f));
      if (rel == "package.json") {
        std::ifstream in(it->path());
        auto pkg = json::parse(in, nullptr, false);
        if (pkg.is_object() && pkg.contains("main") && pkg["main"].is_string()) {
          entry = fs::path(pkg["main"].get<std::string>()).lexically_normal().generic_string();
        }
      }
    }
    if (ec) return refuse(o, "cannot read '" + source.string() + "': " + ec.message());
  } else if (fs::is_regular_file(source, ec)) {
    entry = source.filename().string();
    auto ext = source.extension().string();
    kind = (ext == ".js" || ext == ".cjs") ? "node" : "executable";
    auto f = file_entry(source, entry);
    if (!f) return refuse(o, f.error().message);
    total += (*f)["size"].get<std::size_t>();
    f->erase("size");
    files.push_back(std::move(*f));
  } else {
    return refuse(o, "no file or directory '" + source.string() + "'");
  }
  if (d.kind) kind = *d.kind;
  if (total > kMaxSourceBytes) {
    return refuse(o, "'" + source.string() + "' holds " + std::to_string(total) +
                         " bytes; at most " + std::to_string(kMaxSourceBytes) +
                         " can be deployed (dependencies come from package.json)");
  }
  json args = {{"name", d.name}, {"regex", d.regex}, {"kind", kind},
               {"entry", entry}, {"files", files},   {"from_start", d.from_start}};
  // npm install may take up to functions.install_timeout (300 s by default).
  return run_op(
      o, "fn.deploy", args,
      [](const json& r, std::ostream& out) {
        out << "deployed function '" << r["name"].get<std::string>() << "' ("
            << r["kind"].get<std::string>() << ", regex " << r["regex"].get<std::string>()
            << "), running\n";
      },
      false, std::chrono::seconds(330));
}

int list(const CommandOptions& o) {
  return run_op(o, "fn.list", json::object(), [](const json& r, std::ostream& out) {
    if (r["functions"].empty()) {
      out << "no functions (deploy one with: ros-fn deploy NAME --regex RE FILE)\n";
      return;
    }
    out << std::left << std::setw(20) << "NAME" << std::setw(9) << "STATE" << std::setw(11)
        << "KIND" << std::setw(10) << "DELIVERED" << "REGEX / REASON\n";
    for (const auto& f : r["functions"]) {
      out << std::left << std::setw(20) << f["name"].get<std::string>() << std::setw(9)
          << f["state"].get<std::string>() << std::setw(11) << f["kind"].get<std::string>()
          << std::setw(10)
          << (f.contains("events_delivered") ? std::to_string(f["events_delivered"].get<std::uint64_t>())
                                             : std::string("-"))
          << f["regex"].get<std::string>();
      if (f["reason"].is_string()) out << "  (" << f["reason"].get<std::string>() << ")";
      out << "\n";
    }
  });
}

int show(const CommandOptions& o, const std::string& name) {
  return run_op(o, "fn.show", {{"name", name}}, print_function);
}

int start(const CommandOptions& o, const std::string& name) {
  return run_op(o, "fn.start", {{"name", name}}, [](const json& r, std::ostream& out) {
    out << "function '" << r["name"].get<std::string>() << "' is running\n";
  });
}

int stop(const CommandOptions& o, const std::string& name) {
  return run_op(o, "fn.stop", {{"name", name}}, [](const json& r, std::ostream& out) {
    out << "function '" << r["name"].get<std::string>() << "' is " << r["state"].get<std::string>()
        << "\n";
  });
}

int remove(const CommandOptions& o, const std::string& name) {
  return run_op(o, "fn.rm", {{"name", name}}, [](const json& r, std::ostream& out) {
    out << "removed function '" << r["removed"].get<std::string>() << "' (its log stays in "
        << text_or(r, "log") << ")\n";
  });
}

int logs(const CommandOptions& o, const std::string& name, std::int64_t lines, bool follow) {
  json args = {{"name", name}, {"follow", follow}};
  if (lines > 0) args["lines"] = lines;
  return run_op(
      o, "fn.logs", args,
      [](const json& r, std::ostream& out) {
        if (r.contains("line")) out << r["line"].get<std::string>() << "\n" << std::flush;
        if (r.contains("lost")) out << "<" << r["lost"] << " lines lost>\n";
      },
      true);
}

}  // namespace ros::functions
