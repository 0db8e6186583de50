// Result<T>: the outcome of an operation that can fail in a way the caller
// handles: a value, or an Error with a stable code and a message for people.
//
// The codes are a closed set; their strings are the wire form of `error.code`
// in the control protocol (design.md), so they never change once released.
// Messages are one line: action, object in quotes, cause, next step if any.
//
// Exceptions are kept for start-up failures caught in a program's main; code
// that serves the network returns Result instead.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ros {

enum class Errc {
  invalid_argument,   // the request or input is malformed or out of range
  unknown_op,         // a control operation that the daemon does not have
  not_found,          // the named thing does not exist
  already_exists,     // creating something whose name is taken
  permission_denied,  // the caller may not do this
  conflict,           // the current state forbids the change
  unavailable,        // a dependency (daemon, file, port) cannot be reached now
  internal,           // a bug or an unexpected system failure
};

// The wire name of a code, e.g. "not_found".
std::string_view to_string(Errc code);

// The code whose wire name is `name`; nullopt for an unknown name.
std::optional<Errc> errc_from_string(std::string_view name);

struct Error {
  Errc code = Errc::internal;
  std::string message;

  // "code: message", for logs.
  std::string to_string() const;
};

inline Error make_error(Errc code, std::string message) {
  return Error{code, std::move(message)};
}

// A value of T, or an Error. Accessing the wrong alternative is a bug and
// throws std::bad_variant_access.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}    // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

}  // namespace ros
