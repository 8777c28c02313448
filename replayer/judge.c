// SPDX-License-Identifier: GPL-2.0-only
/* judge: names of the ledger's decisions (see judge.h). */
#include "judge.h"

const char *judge_kind_name(enum judge_kind k)
{
	switch (k) {
	case JUDGE_REQUEST:   return "request";
	case JUDGE_DELIVERY:  return "delivery";
	case JUDGE_VIOLATION: return "violation";
	case JUDGE_UNDECIDED: return "undecided";
	case JUDGE_PENDING:   return "pending at the end";
	default:              return "none";
	}
}

const char *judge_source_name(enum judge_source s)
{
	switch (s) {
	case JUDGE_SRC_LAPIC:    return "LAPIC accept";
	case JUDGE_SRC_INFERRED: return "IPI or MSI";
	case JUDGE_SRC_PIC:      return "PIC";
	case JUDGE_SRC_PIT:      return "8254 edge";
	case JUDGE_SRC_BEFORE:   return "before the trace";
	default:                 return "none";
	}
}

const char *judge_violation_name(enum check_once_kind k)
{
	switch (k) {
	case CHECK_ONCE_DOUBLE:   return "double injection";
	case CHECK_ONCE_SPURIOUS: return "spurious injection";
	case CHECK_ONCE_LOST:     return "lost interrupt";
	default:                  return "none";
	}
}
