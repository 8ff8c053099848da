// Private to the partition stage: the small GLPK helpers column generation and pricing share.
#pragma once

#include <glpk.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

namespace cfnsplit {

struct GlpDeleter {
  void operator()(glp_prob* p) const { glp_delete_prob(p); }
};
using GlpProb = std::unique_ptr<glp_prob, GlpDeleter>;

inline GlpProb NewProb() {
  glp_term_out(GLP_OFF);
  return GlpProb(glp_create_prob());
}

// Solves an LP quietly; false when GLPK found no optimum.
inline bool SolveLp(glp_prob* p) {
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.presolve = GLP_OFF;
  if (glp_simplex(p, &parm) != 0 || glp_get_status(p) != GLP_OPT) {
    glp_adv_basis(p, 0);  // a fresh basis, then once more
    if (glp_simplex(p, &parm) != 0) return false;
  }
  return glp_get_status(p) == GLP_OPT;
}

// CFNSPLIT_DUMP_LP=DIR writes the LPs as free MPS files (the solver benchmark in docs/packing.md
// solves the same files with glpsol and clp).
inline void DumpForBenchmark(glp_prob* p, const char* what) {
  const char* dir = std::getenv("CFNSPLIT_DUMP_LP");
  if (!dir || !*dir) return;
  static int serial = 0;
  std::string path = std::string(dir) + "/" + what + "-" + std::to_string(serial++) + ".mps";
  glp_write_mps(p, GLP_MPS_FILE, nullptr, path.c_str());
}

// CFNSPLIT_TRACE_PACKING=1 prints the column generation's progress to stderr (for tuning).
inline bool Tracing() {
  static const bool on = std::getenv("CFNSPLIT_TRACE_PACKING") != nullptr;
  return on;
}

inline double Seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace cfnsplit
