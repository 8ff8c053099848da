// SHA-256: the FIPS 180-4 examples, fed whole and in odd pieces, and the two block functions
// (portable and SHA extensions) agreeing on random input.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "cfnsplit/plan.hpp"
#include "plan/sha256_blocks.hpp"

using namespace cfnsplit;

TEST_CASE("sha256: the FIPS 180-4 examples", "[unit][sha256]") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // A million 'a' in pieces of every length from 1 to 200: the buffering across blocks.
  Sha256 pieces;
  std::string a(200, 'a');
  std::size_t left = 1000000;
  for (std::size_t n = 1; left > 0; n = n % 200 + 1) {
    std::size_t take = std::min(n, left);
    pieces.Update(a.data(), take);
    left -= take;
  }
  CHECK(pieces.HexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256: the SHA-extension blocks equal the portable ones", "[unit][sha256]") {
  std::mt19937 rng(7);
  std::vector<unsigned char> data(64 * 97);
  for (auto& b : data) b = static_cast<unsigned char>(rng());
  std::uint32_t init[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                           0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  for (std::size_t blocks : {1u, 2u, 5u, 97u}) {
    std::uint32_t portable[8], hardware[8];
    std::copy(init, init + 8, portable);
    std::copy(init, init + 8, hardware);
    Sha256BlocksPortable(portable, data.data(), blocks);
    if (!Sha256BlocksHardware(hardware, data.data(), blocks)) {
      WARN("this CPU has no SHA extensions: only the portable path is tested");
      return;
    }
    INFO(blocks << " blocks");
    CHECK(std::equal(portable, portable + 8, hardware));
  }
}
