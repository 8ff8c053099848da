// Numbers for people: one digit grouping and one byte-unit style, shared by every report
// (analysis, plan, sizing, package) so a figure reads the same wherever it appears.
#pragma once

#include <cstdint>
#include <string>

namespace cfnsplit {

/// 1,234,567 (thousands separators keep byte counts readable).
std::string GroupDigits(std::uint64_t n);
/// Binary units with their IEC names, one decimal: 17 B, 12.3 KiB, 250.0 MiB (Lambda's "MB" is a
/// MiB, aws-facts §1.1).
std::string HumanBytes(std::uint64_t n);

}  // namespace cfnsplit
