#include "config/diagnostic.hpp"

namespace ros::config {
namespace {

// The text of 1-based line `line`, without its newline; npos-safe.
std::string_view line_of(std::string_view text, int line) {
  std::size_t start = 0;
  for (int i = 1; i < line; ++i) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  std::size_t end = text.find('\n', start);
  std::string_view result = text.substr(start, end == std::string_view::npos ? text.size() - start
                                                                               : end - start);
  if (!result.empty() && result.back() == '\r') result.remove_suffix(1);
  return result;
}

}  // namespace

std::string format_diagnostic(const Diagnostic& diagnostic, std::string_view source_text) {
  const Location& at = diagnostic.source.location;
  std::string out = diagnostic.source.origin;
  if (at.known()) {
    out += ':' + std::to_string(at.line) + ':' + std::to_string(at.column);
  }
  out += ": error: " + diagnostic.message + '\n';
  if (!at.known()) return out;
  std::string_view line = line_of(source_text, at.line);
  if (line.empty()) return out;
  out += "    ";
  out += line;
  out += "\n    ";
  // Keep tabs so that the caret lines up under the column in any terminal.
  for (int i = 0; i + 1 < at.column && static_cast<std::size_t>(i) < line.size(); ++i) {
    out += line[static_cast<std::size_t>(i)] == '\t' ? '\t' : ' ';
  }
  out += "^\n";
  return out;
}

}  // namespace ros::config
