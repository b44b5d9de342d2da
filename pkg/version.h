/* SPDX-License-Identifier: MIT */
#pragma once

#define CXLPOLICY_VERSION "0.3.0"

/* Where cxlpolicyd listens and what it shares with cxlpolicyctl. */
#define CXLPOLICY_SOCKET_DEFAULT "/run/cxlpolicy/cxlpolicyd.sock"
#define CXLPOLICY_MOVER_LOCK_DEFAULT "/run/cxlpolicy/mover.lock"
