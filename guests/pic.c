// SPDX-License-Identifier: GPL-2.0-only
/*
 * pic: programs the dual 8259 and has the VMM drive its lines through the
 * test port: edge delivery, fixed priorities, masking, rotated priorities,
 * a level-triggered slave line re-delivered until lowered (specific EOI on
 * both chips), auto-EOI and poll mode. Every delivery arrives as an ExtINT
 * vector the VMM injected with KVM_INTERRUPT.
 */
#include "guest.h"

#define MASTER		0x20
#define SLAVE		0xa0
#define BASE_MASTER	0x20
#define BASE_SLAVE	0x28
#define LEVEL_IRQ	10

enum eoi_mode { EOI_NONSPECIFIC, EOI_SPECIFIC, EOI_NONE };

static volatile int runs[16];
static volatile int order[16], nr_order;
static volatile enum eoi_mode eoi_mode;
static volatile int level_lower_on = 2;	/* run of LEVEL_IRQ that lowers the line */

static void pic_program(uint8_t icw4_master)
{
	outb(MASTER, 0x11);		/* ICW1: edge, cascade, ICW4 follows */
	outb(MASTER + 1, BASE_MASTER);	/* ICW2 */
	outb(MASTER + 1, 0x04);		/* ICW3: slave on IR2 */
	outb(MASTER + 1, icw4_master);	/* ICW4: 8086 mode (+ auto-EOI) */
	outb(SLAVE, 0x11);
	outb(SLAVE + 1, BASE_SLAVE);
	outb(SLAVE + 1, 0x02);
	outb(SLAVE + 1, 0x01);
	outb(MASTER + 1, 0xfb);		/* OCW1: everything masked but the cascade */
	outb(SLAVE + 1, 0xff);
}

static void pic_unmask(int irq)
{
	uint16_t port = irq < 8 ? MASTER + 1 : SLAVE + 1;

	outb(port, inb(port) & ~(1 << (irq & 7)));
}

static void pic_mask(int irq)
{
	uint16_t port = irq < 8 ? MASTER + 1 : SLAVE + 1;

	outb(port, inb(port) | (1 << (irq & 7)));
}

static uint8_t pic_reg(uint16_t chip, uint8_t ocw3)
{
	outb(chip, ocw3);
	return inb(chip);
}
#define pic_irr(chip) pic_reg(chip, 0x0a)
#define pic_isr(chip) pic_reg(chip, 0x0b)

static void pulse(int irq) { testdev_irq(TESTDEV_OP_PULSE, TESTDEV_CHIP_PIC, irq); }

static void pic_handler(struct frame *f)
{
	int irq = f->vector - BASE_MASTER;

	runs[irq]++;
	if (nr_order < 16)
		order[nr_order++] = irq;
	if (irq == LEVEL_IRQ && runs[irq] >= level_lower_on)
		testdev_irq(TESTDEV_OP_LOWER, TESTDEV_CHIP_PIC, LEVEL_IRQ);
	if (eoi_mode == EOI_NONE)
		return;
	if (irq >= 8) {
		outb(SLAVE, eoi_mode == EOI_SPECIFIC ? 0x60 | (irq & 7) : 0x20);
		outb(MASTER, eoi_mode == EOI_SPECIFIC ? 0x62 : 0x20);
	} else {
		outb(MASTER, eoi_mode == EOI_SPECIFIC ? 0x60 | irq : 0x20);
	}
}

/* A few exits with IF set: the VMM injects at the next KVM_RUN. */
static void let_in(void)
{
	sti();
	for (int i = 0; i < 8; i++)
		sink_write(i);
	cli();
}

static void reset_log(void)
{
	for (int i = 0; i < 16; i++)
		runs[i] = order[i] = 0;
	nr_order = 0;
}

static bool order_is(int a, int b, int c)
{
	return nr_order == 3 && order[0] == a && order[1] == b && order[2] == c;
}

void guest_main(int ncpus)
{
	(void)ncpus;
	for (int v = BASE_MASTER; v < BASE_MASTER + 16; v++)
		idt_set_handler(v, pic_handler);
	pic_program(0x01);
	report(inb(MASTER + 1) == 0xfb && inb(SLAVE + 1) == 0xff, "ICW1-4 programming leaves IMR 0xfb/0xff");

	/* Edge: one pulse, one delivery, nothing left in service. */
	pic_unmask(3);
	pulse(3);
	let_in();
	report(runs[3] == 1 && pic_isr(MASTER) == 0, "edge IRQ3 delivered once (vector 0x23), ISR clear after EOI");

	/* Fixed priority: lower IR number first, whatever the arrival order. */
	reset_log();
	pic_unmask(4);
	pic_unmask(6);
	pulse(6);
	pulse(4);
	pulse(3);
	report(pic_irr(MASTER) == 0x58, "IRR holds IRQ3, 4, 6 while IF=0 (0x%x)", pic_irr(MASTER));
	let_in();
	report(order_is(3, 4, 6), "priority order 3,4,6 (got %d,%d,%d)", order[0], order[1], order[2]);

	/* Rotation: OCW2 set-priority makes IR3 the lowest, so IR4 comes first. */
	reset_log();
	outb(MASTER, 0xc0 | 3);
	pulse(3);
	pulse(6);
	pulse(4);
	let_in();
	outb(MASTER, 0xc0 | 7);		/* back to IR0 highest */
	report(order_is(4, 6, 3), "rotated priority order 4,6,3 (got %d,%d,%d)", order[0], order[1], order[2]);

	/* Masking: a masked edge is latched in IRR and delivered on unmask. */
	reset_log();
	pulse(5);
	let_in();
	report(runs[5] == 0 && (pic_irr(MASTER) & 0x20), "masked IRQ5 not delivered, latched in IRR");
	pic_unmask(5);
	let_in();
	report(runs[5] == 1, "IRQ5 delivered once after unmask");

	/* Level on the slave: re-delivered after each EOI until the line drops. */
	reset_log();
	eoi_mode = EOI_SPECIFIC;
	outb(0x4d1, 1 << (LEVEL_IRQ - 8));
	report(inb(0x4d1) == 1 << (LEVEL_IRQ - 8), "ELCR marks IRQ%d level-triggered", LEVEL_IRQ);
	pic_unmask(LEVEL_IRQ);
	testdev_irq(TESTDEV_OP_RAISE, TESTDEV_CHIP_PIC, LEVEL_IRQ);
	report(pic_irr(SLAVE) & (1 << (LEVEL_IRQ - 8)), "raised level IRQ%d pending in slave IRR", LEVEL_IRQ);
	let_in();
	report(runs[LEVEL_IRQ] == 2, "level IRQ%d ran twice (line lowered in the 2nd run): %d",
	       LEVEL_IRQ, runs[LEVEL_IRQ]);
	report(pic_isr(SLAVE) == 0 && pic_isr(MASTER) == 0 && !(pic_irr(SLAVE) & 4),
	       "specific EOI cleared slave IR2 and master IR2 in-service bits");
	pic_mask(LEVEL_IRQ);
	outb(0x4d1, 0);
	eoi_mode = EOI_NONSPECIFIC;

	/* Auto-EOI: the handler sends no EOI and nothing stays in service. */
	reset_log();
	pic_program(0x03);
	eoi_mode = EOI_NONE;
	pic_unmask(3);
	pulse(3);
	let_in();
	report(runs[3] == 1 && pic_isr(MASTER) == 0, "auto-EOI IRQ3 delivered once, ISR stays 0");
	pulse(3);
	let_in();
	report(runs[3] == 2, "auto-EOI IRQ3 delivered again without an EOI");
	pic_program(0x01);
	eoi_mode = EOI_NONSPECIFIC;

	/* Poll: with IF=0 the guest acknowledges the request itself. */
	reset_log();
	pic_unmask(6);
	pulse(6);
	outb(MASTER, 0x0c);
	{
		uint8_t p = inb(MASTER);

		report(p == 0x86, "poll returns 0x86 for IRQ6 (got 0x%x)", p);
	}
	report(pic_isr(MASTER) == 0x40, "poll put IRQ6 in service");
	outb(MASTER, 0x20);
	report(pic_isr(MASTER) == 0, "non-specific EOI after poll clears ISR");
	let_in();
	report(runs[6] == 0, "polled IRQ6 not delivered again as an interrupt");
}
