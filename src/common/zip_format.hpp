// The zip format's record signatures (PKWARE APPNOTE 6.3.10 §4.3), shared by the central-directory
// reader (sizing) and the artifact writer (package) so the two cannot disagree.
#pragma once

#include <cstdint>

namespace cfnsplit::zip_format {

constexpr std::uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr std::uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr std::uint32_t kEndOfCentralDirSignature = 0x06054b50;
constexpr std::uint32_t kZip64EndOfCentralDirSignature = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSignature = 0x07064b50;

}  // namespace cfnsplit::zip_format
