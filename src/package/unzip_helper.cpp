// serverless-python-requirements' runtime side of `zip: true` (aws-facts §4.4), written for
// cfnsplit from the documented behaviour: the handler imports `unzip_requirements` first; the
// first cold start extracts the task root's `.requirements.zip` into a temporary folder in /tmp
// and renames it to /tmp/sls-py-req (atomic: a concurrent or interrupted start never sees half a
// tree); every start puts that folder at sys.path[1], right after the task root.
#include "cfnsplit/package.hpp"

namespace cfnsplit {

std::string UnzipRequirementsHelper() {
  return R"py(# Written by cfnsplit package (serverless-python-requirements' `zip: true` behaviour):
# this function's dependencies are in .requirements.zip. Import this module before them:
#     try:
#         import unzip_requirements  # noqa: F401
#     except ImportError:
#         pass
import os
import shutil
import sys
import zipfile

PACKAGES = "/tmp/sls-py-req"
EXTRACTING = "/tmp/_temp-sls-py-req"

sys.path.insert(1, PACKAGES)

if not os.path.exists(PACKAGES):
    if os.path.exists(EXTRACTING):
        shutil.rmtree(EXTRACTING)
    if os.environ.get("IS_LOCAL") == "true":
        task_root = os.getcwd()
    else:
        task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    with zipfile.ZipFile(os.path.join(task_root, ".requirements.zip")) as archive:
        archive.extractall(EXTRACTING)
    os.rename(EXTRACTING, PACKAGES)
)py";
}

}  // namespace cfnsplit
