#include "config/check_command.hpp"

#include <ostream>

#include "config/print.hpp"
#include "config/schema.hpp"
#include "config/scope.hpp"
#include "config/suggest.hpp"
#include "config/validate.hpp"

namespace ros::config {

int run_check(const CheckOptions& options, std::ostream& out, std::ostream& err) {
  Scope scope = server_scope();
  if (options.daemon) {
    auto found = daemon_scope(*options.daemon);
    if (!found) {
      err << "ros-check-config: unknown daemon '" << *options.daemon
          << "' (use one of: " << daemon_names() << ")\n";
      return 2;
    }
    scope = *found;
  }
  const Field* option_field = nullptr;
  if (options.option) {
    option_field = find_field(*options.option);
    if (option_field == nullptr) {
      err << "ros-check-config: unknown key '" << *options.option << "'";
      if (auto guess = suggest_key(*options.option)) err << " (did you mean " << *guess << "?)";
      err << "\n";
      return 2;
    }
  }

  Loaded loaded = load_and_validate(options.overrides, scope);
  if (!loaded.ok()) {
    err << loaded.format_errors();
    std::size_t n = loaded.errors.size();
    err << loaded.file_as_given << ": " << n << (n == 1 ? " error" : " errors") << "\n";
    return 1;
  }
  if (!options.quiet) out << loaded.file_as_given << ": OK\n";
  if (option_field != nullptr) out << value_text(loaded.config, *option_field) << "\n";
  if (options.print) out << effective_yaml(loaded.config);
  return 0;
}

}  // namespace ros::config
