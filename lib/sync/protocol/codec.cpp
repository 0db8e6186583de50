#include "sync/protocol/codec.hpp"

#include <array>
#include <charconv>
#include <optional>
#include <span>
#include <vector>

#include "sync/protocol/compression.hpp"

namespace ros::sync::protocol {
namespace {

// ---- Field and message tables ---------------------------------------------

enum class Kind { u64, i64, flag };

struct FieldSpec {
  std::string_view name;
  Kind kind;
};

struct MessageSpec {
  std::string_view name;
  std::span<const FieldSpec> fields;
};

constexpr FieldSpec kBind[] = {{"session_ident", Kind::u64},
                               {"server_path_size", Kind::u64},
                               {"signed_user_token_size", Kind::u64},
                               {"need_client_file_ident", Kind::flag},
                               {"is_subserver", Kind::flag}};
constexpr FieldSpec kClientIdent[] = {{"session_ident", Kind::u64},
                                      {"client_file_ident", Kind::u64},
                                      {"client_file_ident_salt", Kind::i64},
                                      {"scan_server_version", Kind::u64},
                                      {"scan_client_version", Kind::u64},
                                      {"latest_server_version", Kind::u64},
                                      {"latest_server_version_salt", Kind::i64}};
constexpr FieldSpec kUpload[] = {{"session_ident", Kind::u64},
                                 {"is_body_compressed", Kind::flag},
                                 {"uncompressed_body_size", Kind::u64},
                                 {"compressed_body_size", Kind::u64},
                                 {"progress_client_version", Kind::u64},
                                 {"progress_server_version", Kind::u64},
                                 {"locked_server_version", Kind::u64}};
constexpr FieldSpec kMark[] = {{"session_ident", Kind::u64}, {"request_ident", Kind::u64}};
constexpr FieldSpec kSessionOnly[] = {{"session_ident", Kind::u64}};
constexpr FieldSpec kPing[] = {{"timestamp", Kind::i64}, {"rtt", Kind::i64}};
constexpr FieldSpec kJsonError[] = {{"error_code", Kind::i64},
                                    {"body_size", Kind::u64},
                                    {"session_ident", Kind::u64}};
constexpr FieldSpec kServerIdent[] = {{"session_ident", Kind::u64},
                                      {"client_file_ident", Kind::u64},
                                      {"client_file_ident_salt", Kind::i64}};
constexpr FieldSpec kDownload[] = {{"session_ident", Kind::u64},
                                   {"download_server_version", Kind::u64},
                                   {"download_client_version", Kind::u64},
                                   {"latest_server_version", Kind::u64},
                                   {"latest_server_version_salt", Kind::i64},
                                   {"upload_client_version", Kind::u64},
                                   {"upload_server_version", Kind::u64},
                                   {"downloadable_bytes", Kind::u64},
                                   {"is_body_compressed", Kind::flag},
                                   {"uncompressed_body_size", Kind::u64},
                                   {"compressed_body_size", Kind::u64}};
constexpr FieldSpec kError[] = {{"error_code", Kind::i64},
                                {"message_size", Kind::u64},
                                {"try_again", Kind::flag},
                                {"session_ident", Kind::u64}};
constexpr FieldSpec kPong[] = {{"timestamp", Kind::i64}};
constexpr FieldSpec kLogMessage[] = {{"session_ident", Kind::u64}, {"body_size", Kind::u64}};

// Index i is the variant index i of ClientMessage / ServerMessage.
constexpr MessageSpec kClientSpecs[] = {{"bind", kBind},   {"ident", kClientIdent},
                                        {"upload", kUpload}, {"mark", kMark},
                                        {"unbind", kSessionOnly}, {"ping", kPing},
                                        {"json_error", kJsonError}};
constexpr MessageSpec kServerSpecs[] = {{"ident", kServerIdent}, {"download", kDownload},
                                        {"mark", kMark},         {"unbound", kSessionOnly},
                                        {"error", kError},       {"json_error", kJsonError},
                                        {"pong", kPong},         {"log_message", kLogMessage}};
static_assert(std::size(kClientSpecs) == std::variant_size_v<ClientMessage>);
static_assert(std::size(kServerSpecs) == std::variant_size_v<ServerMessage>);

constexpr std::string_view kUploadEntry[] = {"client_version", "server_version",
                                             "origin_timestamp", "origin_file_ident",
                                             "changeset_size"};
constexpr std::string_view kDownloadEntry[] = {"server_version",    "client_version",
                                               "origin_timestamp",  "origin_file_ident",
                                               "original_changeset_size", "changeset_size"};

// ---- Helpers ---------------------------------------------------------------

ParseError fail(ProtocolError code, std::string message) {
  return ParseError{code, std::move(message)};
}

// `s` for a message: printable ASCII as is, the rest as \xNN, at most 40 bytes.
std::string quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  std::size_t n = 0;
  for (char c : s) {
    if (++n > 40) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\'' && c != '\\') {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  out += "'";
  return out;
}

std::string str(std::uint64_t v) { return std::to_string(v); }

enum class NumError { none, empty, plus, minus, not_digits, overflow };

NumError parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return NumError::empty;
  if (s[0] == '+') return NumError::plus;
  if (s[0] == '-') return NumError::minus;
  for (char c : s) {
    if (c < '0' || c > '9') return NumError::not_digits;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc::result_out_of_range) return NumError::overflow;
  if (ec != std::errc{} || p != s.data() + s.size()) return NumError::not_digits;
  return NumError::none;
}

NumError parse_i64(std::string_view s, std::int64_t& out) {
  if (s.empty()) return NumError::empty;
  if (s[0] == '+') return NumError::plus;
  std::string_view digits = s[0] == '-' ? s.substr(1) : s;
  if (digits.empty()) return NumError::not_digits;
  for (char c : digits) {
    if (c < '0' || c > '9') return NumError::not_digits;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc::result_out_of_range) return NumError::overflow;
  if (ec != std::errc{} || p != s.data() + s.size()) return NumError::not_digits;
  return NumError::none;
}

std::string_view reason(NumError e) {
  switch (e) {
    case NumError::empty: return "empty field";
    case NumError::plus: return "a '+' sign is not allowed";
    case NumError::minus: return "an unsigned field cannot be negative";
    case NumError::not_digits: return "not a decimal integer";
    case NumError::overflow: return "out of range";
    case NumError::none: break;
  }
  return "";
}

// A split head: name, fields and the bytes after the '\n'.
struct Head {
  std::string_view name;
  std::vector<std::string_view> fields;
  std::string_view body;
};

ParseResult<Head> split_head(std::string_view bytes) {
  std::size_t nl = bytes.find('\n');
  std::string_view line = nl == std::string_view::npos ? bytes : bytes.substr(0, nl);
  if (line.find('\r') != std::string_view::npos) {
    return fail(ProtocolError::bad_syntax, "cannot parse message head: it contains '\\r'");
  }
  if (nl == std::string_view::npos) {
    return fail(ProtocolError::bad_syntax, "cannot parse message head: no '\\n' ends the head");
  }
  Head head;
  head.body = bytes.substr(nl + 1);
  std::size_t sp = line.find(' ');
  head.name = line.substr(0, sp);
  if (head.name.empty()) {
    return fail(ProtocolError::bad_syntax, "cannot parse message head: no message name");
  }
  if (sp == std::string_view::npos) return head;
  std::string_view rest = line.substr(sp + 1);
  for (;;) {
    std::size_t next = rest.find(' ');
    std::string_view field = rest.substr(0, next);
    if (field.empty()) {
      return fail(ProtocolError::bad_syntax,
                  "cannot parse " + quote(head.name) + " head: extra space between fields");
    }
    head.fields.push_back(field);
    if (next == std::string_view::npos) break;
    rest = rest.substr(next + 1);
  }
  return head;
}

// Head fields converted by their kinds; signed values are stored two's
// complement in the uint64 slots.
using Values = std::array<std::uint64_t, 11>;

std::optional<ParseError> convert_fields(const MessageSpec& spec, const Head& head, Values& v) {
  if (head.fields.size() != spec.fields.size()) {
    return fail(ProtocolError::bad_syntax,
                "cannot parse " + quote(spec.name) + " head: " + str(head.fields.size()) +
                    (head.fields.size() == 1 ? " field" : " fields") + ", expected " +
                    str(spec.fields.size()));
  }
  for (std::size_t i = 0; i < spec.fields.size(); ++i) {
    const FieldSpec& f = spec.fields[i];
    std::string_view token = head.fields[i];
    std::string why;
    if (f.kind == Kind::i64) {
      std::int64_t x = 0;
      NumError e = parse_i64(token, x);
      if (e != NumError::none) why = reason(e);
      v[i] = static_cast<std::uint64_t>(x);
    } else {
      NumError e = parse_u64(token, v[i]);
      if (e != NumError::none) {
        why = reason(e);
      } else if (f.kind == Kind::flag && v[i] > 1) {
        why = "must be 0 or 1";
      }
    }
    if (!why.empty()) {
      return fail(ProtocolError::bad_syntax, "cannot parse " + quote(spec.name) + " head: " +
                                                 quote(f.name) + " is " + quote(token) + " (" +
                                                 why + ")");
    }
  }
  return std::nullopt;
}

// "1 unexpected byte", "3 unexpected bytes".
std::string bytes_text(std::uint64_t n) {
  return str(n) + (n == 1 ? " unexpected byte" : " unexpected bytes");
}

// The body must be exactly `size` bytes.
std::optional<ParseError> check_body_size(std::string_view name, std::string_view body,
                                          std::uint64_t size, std::string_view what = "body") {
  if (body.size() < size) {
    return fail(ProtocolError::bad_syntax,
                "cannot parse " + quote(name) + " message: the head announces " + str(size) + " " +
                    std::string(what) + " bytes, the message has " + str(body.size()));
  }
  if (body.size() > size) {
    std::string after = size == 0 && what == "body"
                            ? std::string("the head")
                            : "the " + str(size) + "-byte " + std::string(what);
    return fail(ProtocolError::bad_syntax, "cannot parse " + quote(name) + " message: " +
                                               bytes_text(body.size() - size) +
                                               " after " + after);
  }
  return std::nullopt;
}

// The plain body of an UPLOAD or DOWNLOAD from its three head fields.
ParseResult<std::string> body_of(std::string_view name, std::string_view body, bool compressed,
                                 std::uint64_t uncompressed_size, std::uint64_t compressed_size,
                                 const ParseLimits& limits) {
  if (!compressed) {
    if (compressed_size != 0) {
      return fail(ProtocolError::bad_syntax,
                  "cannot parse " + quote(name) + " head: 'compressed_body_size' is " +
                      str(compressed_size) + " for an uncompressed body (must be 0)");
    }
    if (auto e = check_body_size(name, body, uncompressed_size)) return *e;
    if (uncompressed_size > limits.max_decompressed_body_size) {
      return fail(ProtocolError::bad_syntax,
                  "cannot parse " + quote(name) + " message: 'uncompressed_body_size' " +
                      str(uncompressed_size) + " is above the limit of " +
                      str(limits.max_decompressed_body_size) + " bytes");
    }
    return std::string(body);
  }
  if (auto e = check_body_size(name, body, compressed_size, "compressed body")) return *e;
  if (uncompressed_size > limits.max_decompressed_body_size) {
    return fail(ProtocolError::bad_syntax,
                "cannot parse " + quote(name) + " message: 'uncompressed_body_size' " +
                    str(uncompressed_size) + " is above the limit of " +
                    str(limits.max_decompressed_body_size) + " bytes");
  }
  auto inflated = inflate_exact(body, static_cast<std::size_t>(uncompressed_size));
  if (!inflated) {
    return fail(ProtocolError::other_error,
                "cannot inflate " + quote(name) + " body: " + inflated.error().message);
  }
  return std::move(inflated).value();
}

// Entries of an UPLOAD or DOWNLOAD body: N header fields, each followed by one
// space, the last being the changeset size, then the changeset bytes.
// `on_entry(values, changeset)` receives each.
template <class OnEntry>
std::optional<ParseError> parse_entries(std::string_view name, std::string_view body,
                                        std::span<const std::string_view> field_names,
                                        OnEntry on_entry) {
  std::size_t pos = 0;
  std::size_t index = 0;
  std::array<std::uint64_t, 6> v{};
  while (pos < body.size()) {
    ++index;
    std::string where = "cannot parse " + quote(name) + " changeset " + str(index) +
                        " (body offset " + str(pos) + "): ";
    for (std::size_t i = 0; i < field_names.size(); ++i) {
      std::size_t sp = body.find(' ', pos);
      if (sp == std::string_view::npos) {
        return fail(ProtocolError::bad_changeset_header_syntax,
                    where + "the header ends before " + quote(field_names[i]));
      }
      std::string_view token = body.substr(pos, sp - pos);
      NumError e = parse_u64(token, v[i]);
      if (e != NumError::none) {
        return fail(ProtocolError::bad_changeset_header_syntax,
                    where + quote(field_names[i]) + " is " + quote(token) + " (" +
                        std::string(reason(e)) + ")");
      }
      pos = sp + 1;
    }
    std::uint64_t size = v[field_names.size() - 1];
    if (size > body.size() - pos) {
      return fail(ProtocolError::bad_changeset_size,
                  where + "'changeset_size' is " + str(size) + " but " + str(body.size() - pos) +
                      " body bytes remain");
    }
    on_entry(v, body.substr(pos, size));
    pos += size;
  }
  return std::nullopt;
}

int find_spec(std::span<const MessageSpec> specs, std::string_view name) {
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

// ---- Formatting ---------------------------------------------------------------

class Writer {
 public:
  explicit Writer(std::string_view name) : out_(name) {}
  Writer& u(std::uint64_t v) { return put(v); }
  Writer& i(std::int64_t v) { return put(v); }
  Writer& b(bool v) { return put(static_cast<std::uint64_t>(v ? 1 : 0)); }
  std::string finish(std::string_view body = {}) {
    out_.push_back('\n');
    out_.append(body);
    return std::move(out_);
  }

 private:
  template <class T>
  Writer& put(T v) {
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    out_.push_back(' ');
    out_.append(buf, p);
    return *this;
  }
  std::string out_;
};

void append_number(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, p);
  out.push_back(' ');
}

// An UPLOAD/DOWNLOAD body as it travels: compressed by the policy of 2.2 or
// not, with its three head fields.
struct WireBody {
  bool compressed = false;
  std::size_t uncompressed_size = 0;
  std::size_t compressed_size = 0;
  std::string bytes;
};

WireBody wire_body(std::string body) {
  WireBody w;
  w.uncompressed_size = body.size();
  if (auto compressed = compress_body(body)) {
    w.compressed = true;
    w.compressed_size = compressed->size();
    w.bytes = std::move(*compressed);
  } else {
    w.bytes = std::move(body);
  }
  return w;
}

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

ros::Error ParseError::to_error() const {
  return make_error(Errc::invalid_argument, std::to_string(to_int(code)) + ": " + message);
}

std::string_view message_name(const ClientMessage& message) {
  return kClientSpecs[message.index()].name;
}

std::string_view message_name(const ServerMessage& message) {
  return kServerSpecs[message.index()].name;
}

ParseResult<ClientMessage> parse_client_message(std::string_view bytes, const ParseLimits& limits) {
  auto split = split_head(bytes);
  if (!split) return split.error();
  const Head& head = split.value();
  int index = find_spec(kClientSpecs, head.name);
  if (index < 0) {
    return fail(ProtocolError::bad_syntax,
                "cannot parse message head: unknown message name " + quote(head.name));
  }
  const MessageSpec& spec = kClientSpecs[index];
  Values v{};
  if (auto e = convert_fields(spec, head, v)) return *e;
  auto s64 = [&](int i) { return static_cast<std::int64_t>(v[i]); };
  std::string_view body = head.body;

  switch (index) {
    case 0: {  // bind
      if (v[1] > body.size() || v[2] > body.size() - v[1]) {
        return fail(ProtocolError::bad_syntax,
                    "cannot parse 'bind' message: the head announces " + str(v[1]) + " + " +
                        str(v[2]) + " body bytes, the message has " + str(body.size()));
      }
      if (auto e = check_body_size(spec.name, body, v[1] + v[2])) return *e;
      return ClientMessage{Bind{v[0], std::string(body.substr(0, v[1])),
                                std::string(body.substr(v[1], v[2])), v[3] != 0, v[4] != 0}};
    }
    case 1:  // ident
      if (auto e = check_body_size(spec.name, body, 0)) return *e;
      return ClientMessage{ClientIdent{v[0], v[1], s64(2), v[3], v[4], v[5], s64(6)}};
    case 2: {  // upload
      auto plain = body_of(spec.name, body, v[1] != 0, v[2], v[3], limits);
      if (!plain) return plain.error();
      Upload upload{v[0], v[4], v[5], v[6], {}};
      auto e = parse_entries(spec.name, plain.value(), kUploadEntry,
                             [&](const std::array<std::uint64_t, 6>& f, std::string_view cs) {
                               upload.changesets.push_back(
                                   UploadChangeset{f[0], f[1], f[2], f[3], std::string(cs)});
                             });
      if (e) return *e;
      return ClientMessage{std::move(upload)};
    }
    case 3:  // mark
      if (auto e = check_body_size(spec.name, body, 0)) return *e;
      return ClientMessage{ClientMark{v[0], v[1]}};
    case 4:  // unbind
      if (auto e = check_body_size(spec.name, body, 0)) return *e;
      return ClientMessage{Unbind{v[0]}};
    case 5:  // ping
      if (auto e = check_body_size(spec.name, body, 0)) return *e;
      return ClientMessage{Ping{s64(0), s64(1)}};
    default:  // json_error
      if (auto e = check_body_size(spec.name, body, v[1])) return *e;
      return ClientMessage{ClientJsonError{s64(0), v[2], std::string(body)}};
  }
}

ParseResult<ServerMessage> parse_server_message(std::string_view bytes, const ParseLimits& limits) {
  auto split = split_head(bytes);
  if (!split) return split.error();
  const Head& head = split.value();
  int index = find_spec(kServerSpecs, head.name);
  if (index < 0) {
    return fail(ProtocolError::bad_syntax,
                "cannot parse message head: unknown message name " + quote(head.name));
  }
  const MessageSpec& spec = kServerSpecs[index];
  Values v{};
  if (auto e = convert_fields(spec, head, v)) return *e;
  auto s64 = [&](int i) { return static_cast<std::int64_t>(v[i]); };
  std::string_view body = head.body;

  switch (index) {
    case 0:  // ident
      if (auto e = check_body_size(spec.name, body, 0)) return *e;
      return ServerMessage{ServerIdent{v[0], v[1], s64(2)}};
    case 1: {  // download
      auto plain = body_of(spec.name, body, v[8] != 0, v[9], v[10], limits);
      if (!plain) return plain.error();
      Download download{v[0], v[1], v[2], v[3], s64(4), v[5], v[6], v[7], {}};
      auto e = parse_entries(spec.name, plain.value(), kDownloadEntry,
                             [&](const std::array<std::uint64_t, 6>& f, std::string_view cs) {
                               download.changesets.push_back(DownloadChangeset{
                                   f[0], f[1], f[2], f[3], f[4], std::string(cs)});
                             });
      if (e) return *e;
      return ServerMessage{std::move(download)};
    }
    case 2:  // mark
      if (auto e = check_body_size(spec.name, body, 0)) return *e;
      return ServerMessage{ServerMark{v[0], v[1]}};
    case 3:  // unbound
      if (auto e = check_body_size(spec.name, body, 0)) return *e;
      return ServerMessage{Unbound{v[0]}};
    case 4:  // error
      if (auto e = check_body_size(spec.name, body, v[1])) return *e;
      return ServerMessage{ServerError{s64(0), std::string(body), v[2] != 0, v[3]}};
    case 5:  // json_error
      if (auto e = check_body_size(spec.name, body, v[1])) return *e;
      return ServerMessage{ServerJsonError{s64(0), v[2], std::string(body)}};
    case 6:  // pong
      if (auto e = check_body_size(spec.name, body, 0)) return *e;
      return ServerMessage{Pong{s64(0)}};
    default:  // log_message
      if (auto e = check_body_size(spec.name, body, v[1])) return *e;
      return ServerMessage{LogMessage{v[0], std::string(body)}};
  }
}

std::string format(const ClientMessage& message) {
  return std::visit(
      Overloaded{
          [](const Bind& m) {
            return Writer("bind")
                .u(m.session_ident)
                .u(m.server_path.size())
                .u(m.signed_user_token.size())
                .b(m.need_client_file_ident)
                .b(m.is_subserver)
                .finish(m.server_path + m.signed_user_token);
          },
          [](const ClientIdent& m) {
            return Writer("ident")
                .u(m.session_ident)
                .u(m.client_file_ident)
                .i(m.client_file_ident_salt)
                .u(m.scan_server_version)
                .u(m.scan_client_version)
                .u(m.latest_server_version)
                .i(m.latest_server_version_salt)
                .finish();
          },
          [](const Upload& m) {
            std::string body;
            for (const UploadChangeset& c : m.changesets) {
              append_number(body, c.client_version);
              append_number(body, c.last_integrated_server_version);
              append_number(body, c.origin_timestamp);
              append_number(body, c.origin_file_ident);
              append_number(body, c.changeset.size());
              body += c.changeset;
            }
            WireBody wb = wire_body(std::move(body));
            return Writer("upload")
                .u(m.session_ident)
                .b(wb.compressed)
                .u(wb.uncompressed_size)
                .u(wb.compressed_size)
                .u(m.progress_client_version)
                .u(m.progress_server_version)
                .u(m.locked_server_version)
                .finish(wb.bytes);
          },
          [](const ClientMark& m) {
            return Writer("mark").u(m.session_ident).u(m.request_ident).finish();
          },
          [](const Unbind& m) { return Writer("unbind").u(m.session_ident).finish(); },
          [](const Ping& m) { return Writer("ping").i(m.timestamp).i(m.rtt).finish(); },
          [](const ClientJsonError& m) {
            return Writer("json_error")
                .i(m.error_code)
                .u(m.body.size())
                .u(m.session_ident)
                .finish(m.body);
          },
      },
      message);
}

std::string format(const ServerMessage& message) {
  return std::visit(
      Overloaded{
          [](const ServerIdent& m) {
            return Writer("ident")
                .u(m.session_ident)
                .u(m.client_file_ident)
                .i(m.client_file_ident_salt)
                .finish();
          },
          [](const Download& m) {
            std::string body;
            for (const DownloadChangeset& c : m.changesets) {
              append_number(body, c.server_version);
              append_number(body, c.last_integrated_client_version);
              append_number(body, c.origin_timestamp);
              append_number(body, c.origin_file_ident);
              append_number(body, c.original_changeset_size);
              append_number(body, c.changeset.size());
              body += c.changeset;
            }
            WireBody wb = wire_body(std::move(body));
            return Writer("download")
                .u(m.session_ident)
                .u(m.download_server_version)
                .u(m.download_client_version)
                .u(m.latest_server_version)
                .i(m.latest_server_version_salt)
                .u(m.upload_client_version)
                .u(m.upload_server_version)
                .u(m.downloadable_bytes)
                .b(wb.compressed)
                .u(wb.uncompressed_size)
                .u(wb.compressed_size)
                .finish(wb.bytes);
          },
          [](const ServerMark& m) {
            return Writer("mark").u(m.session_ident).u(m.request_ident).finish();
          },
          [](const Unbound& m) { return Writer("unbound").u(m.session_ident).finish(); },
          [](const ServerError& m) {
            return Writer("error")
                .i(m.error_code)
                .u(m.message.size())
                .b(m.try_again)
                .u(m.session_ident)
                .finish(m.message);
          },
          [](const ServerJsonError& m) {
            return Writer("json_error")
                .i(m.error_code)
                .u(m.body.size())
                .u(m.session_ident)
                .finish(m.body);
          },
          [](const Pong& m) { return Writer("pong").i(m.timestamp).finish(); },
          [](const LogMessage& m) {
            return Writer("log_message").u(m.session_ident).u(m.body.size()).finish(m.body);
          },
      },
      message);
}

}  // namespace ros::sync::protocol
