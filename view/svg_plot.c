// SPDX-License-Identifier: GPL-2.0-only
/* svg_plot: SVG timeline of the events around a violation (see svg_plot.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "svg_plot.h"

#define W_MIN      1400
#define LEFT       96      /* lane names */
#define RIGHT      24
#define TOP        78      /* title and headline */
#define LANE_BASE_H 210    /* lane height without its callout rows */
#define CALLOUT_H  15
#define BASE_Y     150     /* marker line, from the lane top */
#define BAND_Y     162     /* guest/userspace band, from the lane top */
#define BAND_H     12
#define AXIS_H     44
#define LEGEND_H   34
#define COL_MIN    22
#define MAX_LANES  64

static const char *const C_GUEST = "#9fd49f";
static const char *const C_USER = "#b9c4e0";
static const char *const C_RUN = "#d9d9d9";     /* guest or userspace: no entry time */
static const char *const C_RED = "#d40000";
static const char *const C_AMBER = "#e08a00";

void plot_focus_mark(struct plot_focus *f, uint64_t seq, enum plot_severity sev,
		     const char *fmt, ...)
{
	va_list ap;

	if (!seq || f->n_marks >= PLOT_MAX_MARKS)
		return;
	struct plot_mark *m = &f->marks[f->n_marks++];
	m->seq = seq;
	m->severity = sev;
	va_start(ap, fmt);
	vsnprintf(m->label, sizeof(m->label), fmt, ap);
	va_end(ap);
}

/* Text content, XML-escaped. */
static void svg_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

static const char *exit_color(uint32_t reason)
{
	switch (reason) {
	case 2:  /* IO */
		return "#7a7a7a";
	case 6:  /* MMIO */
		return "#2a9d8f";
	case 7:  /* IRQ_WINDOW_OPEN */
		return "#8e44ad";
	case 12: /* TPR_ACCESS */
		return "#e67e22";
	case 5:  /* HLT */
		return "#34495e";
	default:
		return "#555555";
	}
}

struct layout {
	double colw;
	int width, height;
	int lane_h;
	int32_t lanes[MAX_LANES];
	size_t n_lanes;
};

static int lane_of(const struct layout *L, int32_t vcpu)
{
	for (size_t i = 0; i < L->n_lanes; i++)
		if (L->lanes[i] == vcpu)
			return (int)i;
	return -1;
}

static double col_x(const struct layout *L, size_t i)
{
	return LEFT + (i + 0.5) * L->colw;
}

static int lane_top(const struct layout *L, int lane)
{
	return TOP + lane * L->lane_h;
}

static void lanes_collect(struct layout *L, const struct plot_window *w)
{
	L->n_lanes = 0;
	for (size_t i = 0; i < w->n; i++) {
		int32_t v = w->ev[i].vcpu < 0 ? -1 : w->ev[i].vcpu;
		if (lane_of(L, v) >= 0 || L->n_lanes >= MAX_LANES)
			continue;
		size_t k = L->n_lanes++;
		while (k && L->lanes[k - 1] > v) {
			L->lanes[k] = L->lanes[k - 1];
			k--;
		}
		L->lanes[k] = v;
	}
}

static void draw_marker(FILE *out, const struct plot_event *e, double x, double y)
{
	switch (e->kind) {
	case PLOT_EXIT:
		fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"%s\" stroke=\"#222\" stroke-width=\"0.8\"/>",
			x, y, exit_color(e->reason));
		break;
	case PLOT_INJECT:
		fprintf(out, "<path d=\"M%.1f %.1f l-8 -12 h16 z\" fill=\"#1f5fbf\" stroke=\"#0b2d66\"/>",
			x, y + 6);
		break;
	case PLOT_LAPIC:
		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\" stroke=\"#6b5200\" stroke-width=\"1.5\"/>",
			x - 6, y - 6, e->set ? "#ffffff" : "#c9a227");
		break;
	case PLOT_ACCEPT:
		fprintf(out, "<path d=\"M%.1f %.1f l7 7 l-7 7 l-7 -7 z\" fill=\"#2e7d32\" stroke=\"#114411\"/>",
			x, y - 7);
		break;
	case PLOT_EOI:
		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"5\" height=\"16\" fill=\"#444\"/>",
			x - 2.5, y - 8);
		break;
	case PLOT_DROP:
		fprintf(out, "<path d=\"M%.1f %.1f l12 12 m0 -12 l-12 12\" stroke=\"%s\" stroke-width=\"3\"/>",
			x - 6, y - 6, C_RED);
		break;
	default:
		fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#999\"/>", x, y);
		break;
	}
}

/* Where the KVM_RUN that ended in exit @i began, as an x between columns. */
static double entry_x(const struct layout *L, const struct plot_window *w, size_t i)
{
	const struct plot_event *e = &w->ev[i];
	uint64_t entry = e->ts >= e->run_ns ? e->ts - e->run_ns : 0;
	double x = LEFT;

	for (size_t j = 0; j < i; j++)
		if (w->ev[j].ts <= entry)
			x = col_x(L, j) + L->colw / 2;
	return x;
}

static void band(FILE *out, double x0, double x1, double y, const char *color)
{
	if (x1 > x0)
		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n",
			x0, y, x1 - x0, BAND_H, color);
}

static void draw_bands(FILE *out, const struct layout *L, const struct plot_window *w)
{
	for (size_t l = 0; l < L->n_lanes; l++) {
		int32_t v = L->lanes[l];
		double y = lane_top(L, (int)l) + BAND_Y;
		double user_from = LEFT;   /* the exit before the window: in userspace */
		const char *after = NULL;  /* what follows the lane's last exit */

		if (v < 0)
			continue;
		for (size_t i = 0; i < w->n; i++) {
			const struct plot_event *e = &w->ev[i];
			if (e->vcpu != v || e->kind != PLOT_EXIT)
				continue;
			double ex = entry_x(L, w, i), xx = col_x(L, i);

			if (!e->timed) {
				/* No entry time: the stretch is guest and userspace together. */
				band(out, user_from, xx, y, C_RUN);
				after = C_RUN;
			} else {
				if (ex < user_from)
					ex = user_from;
				band(out, user_from, ex, y, C_USER);
				band(out, ex, xx, y, C_GUEST);
				after = C_USER;
			}
			user_from = xx;
		}
		if (after)
			band(out, user_from, L->width - RIGHT, y, after);
	}
}

static const struct plot_mark *mark_of(const struct plot_focus *f, uint64_t seq)
{
	const struct plot_mark *best = NULL;

	for (unsigned int i = 0; f && i < f->n_marks; i++)
		if (f->marks[i].seq == seq && (!best || f->marks[i].severity > best->severity))
			best = &f->marks[i];
	return best;
}

/*
 * Marks are numbered in trace order: a badge on each highlight box, and
 * under the lane's band the numbered labels, flowed left to right over as
 * many rows as they need, so no text crosses another. With @out NULL only
 * measures; returns the rows used by the fullest lane.
 */
static int draw_marks(FILE *out, const struct layout *L, const struct plot_window *w,
		      const struct plot_focus *f)
{
	int rows = 0;

	for (size_t l = 0; l < L->n_lanes; l++) {
		int top = lane_top(L, (int)l), row = 0, num = 0;
		double cx = LEFT + 6;

		for (size_t i = 0; i < w->n; i++) {
			const struct plot_event *e = &w->ev[i];
			if ((e->vcpu < 0 ? -1 : e->vcpu) != L->lanes[l])
				continue;
			for (unsigned int m = 0; f && m < f->n_marks; m++) {
				const struct plot_mark *k = &f->marks[m];
				if (k->seq != e->seq)
					continue;
				char text[140];
				snprintf(text, sizeof(text), "%d: %s (seq %" PRIu64 ")", ++num, k->label, k->seq);
				/* Bold 12px text: about 7.2px a character. */
				double len = 7.2 * (double)strlen(text);
				if (cx > LEFT + 6 && cx + len > L->width - RIGHT) {
					row++;
					cx = LEFT + 6;
				}
				const char *c = k->severity == PLOT_MARK_VIOLATION ? C_RED : C_AMBER;
				double x = col_x(L, i), ty = top + BAND_Y + BAND_H + 36 + CALLOUT_H * row;
				if (out) {
					fprintf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"4\" "
						     "fill=\"%s\" fill-opacity=\"0.14\" stroke=\"%s\" stroke-width=\"%s\"/>\n",
						x - L->colw / 2 + 1, top + 8, L->colw - 2, BASE_Y - 8 + BAND_H + 8, c, c,
						k->severity == PLOT_MARK_VIOLATION ? "3" : "2");
					/* Several marks on one event: badges side by side. */
					unsigned int same = 0;
					for (unsigned int q = 0; q < m; q++)
						same += f->marks[q].seq == k->seq;
					double bx = x + 18.0 * same;
					fprintf(out, "<circle cx=\"%.1f\" cy=\"%d\" r=\"8\" fill=\"%s\"/>"
						     "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" font-weight=\"bold\" fill=\"#fff\" text-anchor=\"middle\">%d</text>\n",
						bx, top + BAND_Y + BAND_H + 11, c, bx, top + BAND_Y + BAND_H + 15, num);
					fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" font-weight=\"bold\" fill=\"%s\">",
						cx, ty + 4, c);
					svg_text(out, text);
					fprintf(out, "</text>\n");
				}
				cx += len + 18;
			}
		}
		if (num && row + 1 > rows)
			rows = row + 1;
	}
	return rows;
}

static void draw_events(FILE *out, const struct layout *L, const struct plot_window *w,
			const struct plot_focus *f)
{
	for (size_t i = 0; i < w->n; i++) {
		const struct plot_event *e = &w->ev[i];
		int lane = lane_of(L, e->vcpu < 0 ? -1 : e->vcpu);
		if (lane < 0)
			continue;
		double x = col_x(L, i), y = lane_top(L, lane) + BASE_Y;
		const struct plot_mark *m = mark_of(f, e->seq);
		const char *color = !m ? "#222" : m->severity == PLOT_MARK_VIOLATION ? C_RED : "#8a4d00";

		fprintf(out, "<g><title>seq %" PRIu64 ": ", e->seq);
		svg_text(out, e->text);
		fprintf(out, "</title>");
		draw_marker(out, e, x, y);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"%s\"%s "
			     "transform=\"rotate(-60 %.1f %.1f)\">",
			x + 3, y - 12, color, m ? " font-weight=\"bold\"" : "", x + 3, y - 12);
		svg_text(out, e->label);
		fprintf(out, "</text></g>\n");
	}
}

static void draw_axis(FILE *out, const struct layout *L, const struct plot_window *w,
		      const struct plot_focus *f)
{
	int y = TOP + (int)L->n_lanes * L->lane_h + 4;
	uint64_t t0 = 0;
	int step = L->colw >= 40 ? 1 : L->colw >= 20 ? 2 : 5;

	for (size_t i = 0; i < w->n; i++)
		if (w->ev[i].seq <= f->center)
			t0 = w->ev[i].ts;
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n",
		LEFT, y, L->width - RIGHT, y);
	fprintf(out, "<text x=\"8\" y=\"%d\" font-size=\"11\" fill=\"#444\">seq</text>\n", y + 15);
	fprintf(out, "<text x=\"8\" y=\"%d\" font-size=\"11\" fill=\"#444\">&#956;s</text>\n", y + 30);
	for (size_t i = 0; i < w->n; i++) {
		const struct plot_event *e = &w->ev[i];
		bool focus = e->seq == f->center;
		if (!focus && i % (size_t)step)
			continue;
		double x = col_x(L, i);
		long long dt = (long long)e->ts - (long long)t0;
		fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#444\"/>", x, y, x, y + 4);
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\" fill=\"%s\">%" PRIu64 "</text>",
			x, y + 15, focus ? C_RED : "#444", e->seq);
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\" fill=\"%s\">%s%lld.%01lld</text>\n",
			x, y + 30, focus ? C_RED : "#444", dt < 0 ? "-" : "+", llabs(dt) / 1000,
			(llabs(dt) % 1000) / 100);
	}
}

static bool window_timed(const struct plot_window *w)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->ev[i].kind == PLOT_EXIT && !w->ev[i].timed)
			return false;
	return true;
}

static void draw_legend(FILE *out, const struct layout *L, const struct plot_window *w)
{
	int y = L->height - LEGEND_H + 14;
	double x = LEFT;
	struct plot_event e;

	fprintf(out, "<g font-size=\"11\" fill=\"#222\">\n");
	if (!window_timed(w)) {
		fprintf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"28\" height=\"%d\" fill=\"%s\"/><text x=\"%.1f\" y=\"%d\">guest or userspace (no --run-times)</text>\n",
			x, y - 9, BAND_H, C_RUN, x + 34, y + 1);
		x += 254;
	} else {
		fprintf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"28\" height=\"%d\" fill=\"%s\"/><text x=\"%.1f\" y=\"%d\">in the guest</text>\n",
			x, y - 9, BAND_H, C_GUEST, x + 34, y + 1);
		x += 124;
		fprintf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"28\" height=\"%d\" fill=\"%s\"/><text x=\"%.1f\" y=\"%d\">in userspace</text>\n",
			x, y - 9, BAND_H, C_USER, x + 34, y + 1);
		x += 130;
	}
	static const struct {
		enum plot_kind kind;
		uint32_t reason;
		const char *text;
	} items[] = {
		{ PLOT_EXIT, 2, "exit (IO)" },
		{ PLOT_EXIT, 12, "TPR_ACCESS" },
		{ PLOT_EXIT, 7, "IRQ_WINDOW_OPEN" },
		{ PLOT_INJECT, 0, "KVM_INTERRUPT" },
		{ PLOT_LAPIC, 0, "KVM_GET_LAPIC" },
		{ PLOT_ACCEPT, 0, "LAPIC accept" },
		{ PLOT_EOI, 0, "EOI" },
	};
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		memset(&e, 0, sizeof(e));
		e.kind = items[i].kind;
		e.reason = items[i].reason;
		draw_marker(out, &e, x + 8, y - 3);
		fprintf(out, "<text x=\"%.1f\" y=\"%d\">%s</text>\n", x + 20, y + 1, items[i].text);
		x += 34 + 7.0 * strlen(items[i].text);
	}
	fprintf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"16\" height=\"14\" rx=\"3\" fill=\"%s\" fill-opacity=\"0.14\" stroke=\"%s\" stroke-width=\"3\"/><text x=\"%.1f\" y=\"%d\">violation</text>\n",
		x, y - 10, C_RED, C_RED, x + 22, y + 1);
	x += 96;
	fprintf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"16\" height=\"14\" rx=\"3\" fill=\"%s\" fill-opacity=\"0.14\" stroke=\"%s\" stroke-width=\"2\"/><text x=\"%.1f\" y=\"%d\">what explains it</text>\n",
		x, y - 10, C_AMBER, C_AMBER, x + 22, y + 1);
	fprintf(out, "</g>\n");
}

void svg_plot_write(FILE *out, const char *trace, const struct plot_window *w,
		    const struct plot_focus *f)
{
	struct layout L;

	memset(&L, 0, sizeof(L));
	lanes_collect(&L, w);
	L.colw = w->n ? (double)(W_MIN - LEFT - RIGHT) / (double)w->n : 40;
	if (L.colw > 60)
		L.colw = 60;
	if (L.colw < COL_MIN)
		L.colw = COL_MIN;
	L.width = LEFT + RIGHT + (int)(L.colw * (double)w->n + 0.5);
	if (L.width < W_MIN)
		L.width = W_MIN;
	/* Room under each lane for the callout rows its marks need. */
	L.lane_h = LANE_BASE_H;
	int rows = draw_marks(NULL, &L, w, f);
	if (rows < 1)
		rows = 1;
	L.lane_h = LANE_BASE_H + rows * CALLOUT_H;
	L.height = TOP + (int)(L.n_lanes ? L.n_lanes : 1) * L.lane_h + AXIS_H + LEGEND_H;

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		     "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n",
		L.width, L.height, L.width, L.height);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
		L.width, L.height);
	fprintf(out, "<text x=\"12\" y=\"22\" font-size=\"15\" font-weight=\"bold\" fill=\"#111\">kvmrec plot: ");
	svg_text(out, trace);
	if (w->n)
		fprintf(out, "  (seq %" PRIu64 "..%" PRIu64 ", one column per event, trace order)",
			w->ev[0].seq, w->ev[w->n - 1].seq);
	fprintf(out, "</text>\n");
	if (f->headline[0]) {
		fprintf(out, "<text x=\"12\" y=\"46\" font-size=\"14\" font-weight=\"bold\" fill=\"%s\">", C_RED);
		svg_text(out, f->headline);
		fprintf(out, "</text>\n");
	}
	if (w->cut || w->damage[0]) {
		fprintf(out, "<text x=\"12\" y=\"66\" font-size=\"11\" fill=\"#444\">");
		if (w->cut)
			fprintf(out, "window cut to %d events. ", PLOT_WINDOW_MAX);
		if (w->damage[0]) {
			fprintf(out, "trace damaged: ");
			svg_text(out, w->damage);
		}
		fprintf(out, "</text>\n");
	}

	for (size_t l = 0; l < L.n_lanes; l++) {
		int top = lane_top(&L, (int)l);
		char name[32];
		if (L.lanes[l] < 0)
			snprintf(name, sizeof(name), "VM");
		else
			snprintf(name, sizeof(name), "vCPU %d", L.lanes[l]);
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
			LEFT, top + 4, L.width - LEFT - RIGHT, L.lane_h - 8, l % 2 ? "#f4f4f4" : "#fafafa");
		fprintf(out, "<text x=\"12\" y=\"%d\" font-size=\"14\" font-weight=\"bold\" fill=\"#111\">%s</text>\n",
			top + BASE_Y + 5, name);
		fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbb\"/>\n",
			LEFT, top + BASE_Y, L.width - RIGHT, top + BASE_Y);
	}
	draw_bands(out, &L, w);
	draw_marks(out, &L, w, f);
	draw_events(out, &L, w, f);
	draw_axis(out, &L, w, f);
	draw_legend(out, &L, w);
	fprintf(out, "</svg>\n");
}
