// SHA-256 (FIPS 180-4), to fingerprint a plan's inputs and the packages `package` writes.
// Small and dependency-free on purpose; on x86-64 CPUs with the SHA extensions the blocks go
// through them (about 5x faster: the template's fingerprint was 4 % of a split's CPU time).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>

#include "plan/sha256_blocks.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define CFNSPLIT_SHA_NI 1
#endif

#include "cfnsplit/plan.hpp"

namespace cfnsplit {
namespace {

constexpr std::array<std::uint32_t, 64> kK = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

std::uint32_t Rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void Compress(std::array<std::uint32_t, 8>& h, const unsigned char* block) {
  std::uint32_t w[64];
  for (int i = 0; i < 16; ++i)
    w[i] = (std::uint32_t(block[i * 4]) << 24) | (std::uint32_t(block[i * 4 + 1]) << 16) |
           (std::uint32_t(block[i * 4 + 2]) << 8) | std::uint32_t(block[i * 4 + 3]);
  for (int i = 16; i < 64; ++i) {
    std::uint32_t s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    std::uint32_t s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; ++i) {
    std::uint32_t t1 =
        hh + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ (~e & g)) + kK[i] + w[i];
    std::uint32_t t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += hh;
}

#ifdef CFNSPLIT_SHA_NI
// The SHA extensions' round structure (Intel's "SHA Extensions" paper): each step runs four
// rounds; the message schedule for the step after next is prepared with msg1 / msg2 meanwhile.
__attribute__((target("sha,sse4.1"))) void CompressShaNi(std::uint32_t* h, const unsigned char* p,
                                                         std::size_t blocks) {
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)), 0xB1);
  __m128i state1 =
      _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4)), 0x1B);
  __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);  // ABEF
  state1 = _mm_blend_epi16(state1, tmp, 0xF0);       // CDGH
  for (; blocks > 0; --blocks, p += 64) {
    const __m128i abef = state0, cdgh = state1;
    __m128i w[4];
    for (int i = 0; i < 16; ++i) {
      __m128i& cur = w[i % 4];
      if (i < 4)
        cur = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i)),
                               byte_swap);
      __m128i msg =
          _mm_add_epi32(cur, _mm_loadu_si128(reinterpret_cast<const __m128i*>(&kK[4 * i])));
      state1 = _mm_sha256rnds2_epu32(state1, state0, msg);
      if (i >= 3 && i < 15) {
        __m128i& next = w[(i + 1) % 4];
        next = _mm_add_epi32(next, _mm_alignr_epi8(cur, w[(i + 3) % 4], 4));
        next = _mm_sha256msg2_epu32(next, cur);
      }
      state0 = _mm_sha256rnds2_epu32(state0, state1, _mm_shuffle_epi32(msg, 0x0E));
      if (i >= 1 && i < 13) w[(i + 3) % 4] = _mm_sha256msg1_epu32(w[(i + 3) % 4], cur);
    }
    state0 = _mm_add_epi32(state0, abef);
    state1 = _mm_add_epi32(state1, cdgh);
  }
  tmp = _mm_shuffle_epi32(state0, 0x1B);     // FEBA
  state1 = _mm_shuffle_epi32(state1, 0xB1);  // DCHG
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h), _mm_blend_epi16(tmp, state1, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h + 4), _mm_alignr_epi8(state1, tmp, 8));
}

// CPUID, not __builtin_cpu_supports: clang before 17 does not know the "sha" feature name.
bool CpuHasShaExtensions() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_SSE4_1)) return false;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
  return (ebx & (1u << 29)) != 0;  // SHA
}
#endif

}  // namespace

void Sha256BlocksPortable(std::uint32_t* h, const unsigned char* p, std::size_t blocks) {
  std::array<std::uint32_t, 8> state;
  std::copy(h, h + 8, state.begin());
  for (; blocks > 0; --blocks, p += 64) Compress(state, p);
  std::copy(state.begin(), state.end(), h);
}

bool Sha256BlocksHardware(std::uint32_t* h, const unsigned char* p, std::size_t blocks) {
#ifdef CFNSPLIT_SHA_NI
  static const bool available = CpuHasShaExtensions();
  if (!available) return false;
  CompressShaNi(h, p, blocks);
  return true;
#else
  (void)h, (void)p, (void)blocks;
  return false;
#endif
}

void Sha256Blocks(std::uint32_t* h, const unsigned char* p, std::size_t blocks) {
  if (!Sha256BlocksHardware(h, p, blocks)) Sha256BlocksPortable(h, p, blocks);
}

void Sha256::Update(const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  length_ += size;
  if (buffered_ > 0) {
    std::size_t take = std::min(size, block_.size() - buffered_);
    std::copy(p, p + take, block_.begin() + static_cast<std::ptrdiff_t>(buffered_));
    buffered_ += take;
    p += take;
    size -= take;
    if (buffered_ < block_.size()) return;
    Sha256Blocks(state_.data(), block_.data(), 1);
    buffered_ = 0;
  }
  Sha256Blocks(state_.data(), p, size / 64);
  p += size / 64 * 64;
  size %= 64;
  std::copy(p, p + size, block_.begin());
  buffered_ = size;
}

std::string Sha256::HexDigest() {
  unsigned char tail[128] = {0};
  std::copy(block_.begin(), block_.begin() + static_cast<std::ptrdiff_t>(buffered_), tail);
  tail[buffered_] = 0x80;
  std::size_t tail_len = buffered_ + 1 + 8 <= 64 ? 64 : 128;
  std::uint64_t bits = length_ * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  std::array<std::uint32_t, 8> h = state_;
  Sha256Blocks(h.data(), tail, tail_len / 64);
  std::string out;
  char buf[9];
  for (auto word : h) {
    std::snprintf(buf, sizeof buf, "%08x", word);
    out += buf;
  }
  return out;
}

std::string Sha256Hex(const std::string& bytes) {
  Sha256 hasher;
  hasher.Update(bytes.data(), bytes.size());
  return hasher.HexDigest();
}

}  // namespace cfnsplit
