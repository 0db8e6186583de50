#include "sync/changeset/instruction.hpp"

namespace ros::sync::changeset {

namespace {
constexpr const char* kNames[kInstructionCount] = {
    "AddTable",   "EraseTable", "CreateObject", "EraseObject", "Update",
    "AddInteger", "AddColumn",  "EraseColumn",  "ArrayInsert", "ArrayMove",
    "ArrayErase", "Clear",      "SetInsert",    "SetErase",
};
}  // namespace

bool ends_in_index(const Path& path) {
  return !path.empty() && std::holds_alternative<uint32_t>(path.back());
}

const char* instruction_name(std::size_t code) {
  return code < kInstructionCount ? kNames[code] : "?";
}

const char* instruction_name(const Instruction& instruction) {
  return instruction_name(instruction.index());
}

}  // namespace ros::sync::changeset
