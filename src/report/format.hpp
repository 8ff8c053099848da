// Private formatting helpers shared by reports and explanations.
#pragma once

#include "cfnsplit/report.hpp"
