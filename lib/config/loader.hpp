// Loading configuration.yml into Config: YAML syntax, known keys, value types
// and command-line overrides. What the values point at (files, ports) is
// checked by validate.hpp, separately, because each daemon checks only what
// it reads.
//
// Every problem found is collected, not just the first, each as a Diagnostic
// located at the offending node (the key for unknown keys, the value for bad
// values), so one run of ros-check-config reports them all.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/diagnostic.hpp"

namespace ros::config {

// The options every ros program accepts to pick and amend the configuration.
struct Overrides {
  std::string config_file = kDefaultConfigFile;  // --config
  std::optional<std::string> root;               // --root: storage.root_path
  std::optional<std::string> public_key;         // --public-key: auth.public_key_path
  std::optional<std::string> private_key;        // --private-key: auth.private_key_path
};

struct Loaded {
  Config config;
  std::string file_as_given;  // for messages, as the user spelled it
  std::string source_text;    // the file's text, to quote lines in messages
  // Where each explicitly set key came from (dotted key -> source); keys left
  // at their default have no entry.
  std::map<std::string, Source> sources;
  std::vector<Diagnostic> errors;
  // False when the file could not be read or is not valid YAML: then the
  // values are only defaults and checking what they point at says nothing.
  bool parsed = false;

  bool ok() const { return errors.empty(); }

  // The source of `key`, or else of its nearest ancestor section present in
  // the file, or else the file without a position.
  Source locate(const std::string& key) const;

  void add_error(const std::string& key, std::string message) {
    errors.push_back({locate(key), key + ": " + std::move(message)});
  }

  // Every error, formatted for people (see format_diagnostic).
  std::string format_errors() const;
};

// Parses `text` as the content of `file_as_given` (no file system access).
Loaded parse_config(const std::string& text, const std::string& file_as_given);

// Reads overrides.config_file, parses it and applies the overrides.
Loaded load_config(const Overrides& overrides);

}  // namespace ros::config
