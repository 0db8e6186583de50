#include "storage/statement_cache.hpp"

namespace ros::sql {

StatementCache::Lease::Lease(Statement own) : own_(std::move(own)) { statement_ = &*own_; }

StatementCache::Lease::Lease(Lease&& other) noexcept
    : own_(std::move(other.own_)), statement_(other.statement_), in_use_(other.in_use_) {
  if (own_) statement_ = &*own_;
  other.statement_ = nullptr;
  other.in_use_ = nullptr;
}

StatementCache::Lease::~Lease() {
  if (statement_ == nullptr) return;  // moved from
  if (in_use_ != nullptr) {
    statement_->reset();
    *in_use_ = false;
  }
}

Result<StatementCache::Lease> StatementCache::get(std::string_view sql) {
  auto it = kept_.find(sql);
  if (it == kept_.end()) {
    auto prepared = Statement::prepare(db_, sql);
    if (!prepared) return prepared.error();
    it = kept_.emplace(std::string(sql), Kept{std::move(*prepared), false}).first;
  } else if (it->second.in_use) {
    auto prepared = Statement::prepare(db_, sql);
    if (!prepared) return prepared.error();
    return Lease(std::move(*prepared));
  }
  it->second.in_use = true;
  return Lease(&it->second.statement, &it->second.in_use);
}

Result<void> StatementCache::exec(std::string_view sql) {
  auto lease = get(sql);
  if (!lease) return lease.error();
  return (*lease)->run();
}

}  // namespace ros::sql
