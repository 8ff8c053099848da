// SHA-256's block function, portable and with the x86 SHA extensions (sha256.cpp). Internal:
// the Sha256 class in plan.hpp is the interface; the test compares the two paths.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cfnsplit {

/// Runs `blocks` 64-byte blocks from `p` through the compression function into `h[0..7]`.
void Sha256BlocksPortable(std::uint32_t* h, const unsigned char* p, std::size_t blocks);
/// The same with the CPU's SHA instructions; false (and `h` untouched) when it has none.
bool Sha256BlocksHardware(std::uint32_t* h, const unsigned char* p, std::size_t blocks);
/// The hardware path where the CPU has one, else the portable one.
void Sha256Blocks(std::uint32_t* h, const unsigned char* p, std::size_t blocks);

}  // namespace cfnsplit
