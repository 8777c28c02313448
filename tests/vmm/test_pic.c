// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 8259 model programmed the way a guest programs it: each test is one
 * data-sheet behaviour (ICW sequence, priorities, rotation, auto-EOI, EOI
 * kinds, poll, ELCR level lines, cascade, special mask, spurious IR7) with
 * the vectors and register values it must produce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pic.h"

struct bench {
	struct vmm_pic pic;
	int output_changes;
	bool output;
};

static void on_output(void *opaque, bool level)
{
	struct bench *b = opaque;

	if (level != b->output)
		b->output_changes++;
	b->output = level;
}

/* The usual PC set-up: vectors 0x20/0x28, slave on IR2, ICW4 as given. */
static void program(struct vmm_pic *p, uint8_t icw4)
{
	vmm_pic_ioport_write(p, 0x20, 0x11);
	vmm_pic_ioport_write(p, 0x21, 0x20);
	vmm_pic_ioport_write(p, 0x21, 0x04);
	vmm_pic_ioport_write(p, 0x21, icw4);
	vmm_pic_ioport_write(p, 0xa0, 0x11);
	vmm_pic_ioport_write(p, 0xa1, 0x28);
	vmm_pic_ioport_write(p, 0xa1, 0x02);
	vmm_pic_ioport_write(p, 0xa1, 0x01);
	vmm_pic_ioport_write(p, 0x21, 0x00);
	vmm_pic_ioport_write(p, 0xa1, 0x00);
}

static int setup(void **state)
{
	static struct bench b;

	b = (struct bench){ 0 };
	vmm_pic_init(&b.pic, on_output, &b);
	program(&b.pic, 0x01);
	*state = &b;
	return 0;
}

static uint8_t read_isr(struct vmm_pic *p, uint16_t chip)
{
	vmm_pic_ioport_write(p, chip, 0x0b);
	return vmm_pic_ioport_read(p, chip);
}

static uint8_t read_irr(struct vmm_pic *p, uint16_t chip)
{
	vmm_pic_ioport_write(p, chip, 0x0a);
	return vmm_pic_ioport_read(p, chip);
}

static void edge(struct vmm_pic *p, int irq)
{
	vmm_pic_set_irq(p, irq, true);
	vmm_pic_set_irq(p, irq, false);
}

static void test_icw_sequence(void **state)
{
	struct bench *b = *state;

	assert_int_equal(vmm_pic_ioport_read(&b->pic, 0x21), 0x00);
	vmm_pic_ioport_write(&b->pic, 0x21, 0xa5);
	assert_int_equal(vmm_pic_ioport_read(&b->pic, 0x21), 0xa5);
	/* A new ICW1 clears IMR; ICW2 sets the base with the low 3 bits ignored. */
	vmm_pic_ioport_write(&b->pic, 0x20, 0x11);
	vmm_pic_ioport_write(&b->pic, 0x21, 0x47);
	vmm_pic_ioport_write(&b->pic, 0x21, 0x04);
	vmm_pic_ioport_write(&b->pic, 0x21, 0x01);
	assert_int_equal(vmm_pic_ioport_read(&b->pic, 0x21), 0x00);
	edge(&b->pic, 1);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x41);
}

static void test_edge_irr_isr_eoi(void **state)
{
	struct bench *b = *state;

	assert_false(b->pic.output);
	edge(&b->pic, 3);
	assert_true(b->pic.output);
	assert_int_equal(read_irr(&b->pic, 0x20), 0x08);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x23);
	assert_false(b->pic.output);
	assert_int_equal(read_irr(&b->pic, 0x20), 0x00);
	assert_int_equal(read_isr(&b->pic, 0x20), 0x08);
	vmm_pic_ioport_write(&b->pic, 0x20, 0x20);	/* non-specific EOI */
	assert_int_equal(read_isr(&b->pic, 0x20), 0x00);
	/* A line held high is one edge, not a stream. */
	vmm_pic_set_irq(&b->pic, 3, true);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x23);
	vmm_pic_ioport_write(&b->pic, 0x20, 0x20);
	assert_false(b->pic.output);
}

static void test_fixed_priority_and_nesting(void **state)
{
	struct bench *b = *state;

	edge(&b->pic, 6);
	edge(&b->pic, 4);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x24);
	/* IR6 waits while the higher IR4 is in service... */
	assert_false(b->pic.output);
	/* ...but a higher IR1 nests. */
	edge(&b->pic, 1);
	assert_true(b->pic.output);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x21);
	assert_int_equal(read_isr(&b->pic, 0x20), 0x12);
	vmm_pic_ioport_write(&b->pic, 0x20, 0x20);	/* EOIs the highest: IR1 */
	assert_int_equal(read_isr(&b->pic, 0x20), 0x10);
	vmm_pic_ioport_write(&b->pic, 0x20, 0x20);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x26);
}

static void test_specific_eoi(void **state)
{
	struct bench *b = *state;

	edge(&b->pic, 5);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x25);
	edge(&b->pic, 0);	/* IR0 nests above IR5 */
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x20);
	vmm_pic_ioport_write(&b->pic, 0x20, 0x60 | 5);	/* specific EOI of the lower one */
	assert_int_equal(read_isr(&b->pic, 0x20), 0x01);
	vmm_pic_ioport_write(&b->pic, 0x20, 0x60 | 0);
	assert_int_equal(read_isr(&b->pic, 0x20), 0x00);
}

static void test_rotation(void **state)
{
	struct bench *b = *state;

	/* Set priority: IR3 lowest, so IR4 is now the highest. */
	vmm_pic_ioport_write(&b->pic, 0x20, 0xc0 | 3);
	edge(&b->pic, 3);
	edge(&b->pic, 6);
	edge(&b->pic, 4);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x24);
	/* Rotate on non-specific EOI: IR4 becomes lowest, IR5 highest. */
	vmm_pic_ioport_write(&b->pic, 0x20, 0xa0);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x26);
	vmm_pic_ioport_write(&b->pic, 0x20, 0x20);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x23);
	/* Rotate on specific EOI of IR3: IR4 highest again. */
	vmm_pic_ioport_write(&b->pic, 0x20, 0xe0 | 3);
	assert_int_equal(read_isr(&b->pic, 0x20), 0x00);
	edge(&b->pic, 3);
	edge(&b->pic, 7);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x27);
}

static void test_auto_eoi_and_rotate(void **state)
{
	struct bench *b = *state;

	program(&b->pic, 0x03);
	edge(&b->pic, 5);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x25);
	assert_int_equal(read_isr(&b->pic, 0x20), 0x00);
	/* Rotate in auto-EOI mode: the acknowledged IR becomes lowest. */
	vmm_pic_ioport_write(&b->pic, 0x20, 0x80);
	edge(&b->pic, 1);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x21);
	edge(&b->pic, 1);
	edge(&b->pic, 3);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x23);	/* IR1 is now lowest */
}

static void test_masking(void **state)
{
	struct bench *b = *state;

	vmm_pic_ioport_write(&b->pic, 0x21, 0x10);
	edge(&b->pic, 4);
	assert_false(b->pic.output);
	assert_int_equal(read_irr(&b->pic, 0x20), 0x10);
	vmm_pic_ioport_write(&b->pic, 0x21, 0x00);
	assert_true(b->pic.output);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x24);
}

static void test_special_mask(void **state)
{
	struct bench *b = *state;

	edge(&b->pic, 0);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x20);
	/* IR0 in service blocks IR5, unless IR0 is masked in special mask mode. */
	edge(&b->pic, 5);
	assert_false(b->pic.output);
	vmm_pic_ioport_write(&b->pic, 0x21, 0x01);
	vmm_pic_ioport_write(&b->pic, 0x20, 0x68);	/* OCW3: set special mask */
	assert_true(b->pic.output);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x25);
	vmm_pic_ioport_write(&b->pic, 0x20, 0x48);	/* reset special mask */
}

static void test_poll(void **state)
{
	struct bench *b = *state;

	edge(&b->pic, 6);
	vmm_pic_ioport_write(&b->pic, 0x20, 0x0c);	/* OCW3 poll */
	assert_int_equal(vmm_pic_ioport_read(&b->pic, 0x20), 0x86);
	assert_false(b->pic.output);
	assert_int_equal(read_isr(&b->pic, 0x20), 0x40);
	vmm_pic_ioport_write(&b->pic, 0x20, 0x20);
	vmm_pic_ioport_write(&b->pic, 0x20, 0x0c);
	assert_int_equal(vmm_pic_ioport_read(&b->pic, 0x20), 0x00);	/* nothing pending */
	/* Poll mode lasts one read: the next read is IRR again. */
	assert_int_equal(vmm_pic_ioport_read(&b->pic, 0x20), 0x00);
}

static void test_elcr_level(void **state)
{
	struct bench *b = *state;

	vmm_pic_ioport_write(&b->pic, 0x4d0, 0xff);
	assert_int_equal(vmm_pic_ioport_read(&b->pic, 0x4d0), 0xf8);	/* IR0-2 always edge */
	vmm_pic_ioport_write(&b->pic, 0x4d1, 0xff);
	assert_int_equal(vmm_pic_ioport_read(&b->pic, 0x4d1), 0xde);
	vmm_pic_ioport_write(&b->pic, 0x4d0, 0x08);
	vmm_pic_set_irq(&b->pic, 3, true);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x23);
	vmm_pic_ioport_write(&b->pic, 0x20, 0x20);
	/* Still high: requested again after the EOI. */
	assert_true(b->pic.output);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x23);
	vmm_pic_set_irq(&b->pic, 3, false);
	vmm_pic_ioport_write(&b->pic, 0x20, 0x20);
	assert_false(b->pic.output);
	assert_int_equal(read_irr(&b->pic, 0x20), 0x00);
}

static void test_cascade(void **state)
{
	struct bench *b = *state;

	edge(&b->pic, 12);
	assert_true(b->pic.output);
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x2c);
	assert_int_equal(read_isr(&b->pic, 0xa0), 0x10);
	assert_int_equal(read_isr(&b->pic, 0x20), 0x04);
	/* Slave masked: nothing reaches the master. */
	vmm_pic_ioport_write(&b->pic, 0xa0, 0x20);
	vmm_pic_ioport_write(&b->pic, 0x20, 0x20);
	vmm_pic_ioport_write(&b->pic, 0xa1, 0x01);
	edge(&b->pic, 8);
	assert_false(b->pic.output);
}

static void test_spurious(void **state)
{
	struct bench *b = *state;

	/* INTA with no request: the spurious IR7 vector, nothing in service. */
	assert_int_equal(vmm_pic_read_irq(&b->pic), 0x27);
	assert_int_equal(read_isr(&b->pic, 0x20), 0x00);
	assert_int_equal(b->output_changes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_icw_sequence, setup),
		cmocka_unit_test_setup(test_edge_irr_isr_eoi, setup),
		cmocka_unit_test_setup(test_fixed_priority_and_nesting, setup),
		cmocka_unit_test_setup(test_specific_eoi, setup),
		cmocka_unit_test_setup(test_rotation, setup),
		cmocka_unit_test_setup(test_auto_eoi_and_rotate, setup),
		cmocka_unit_test_setup(test_masking, setup),
		cmocka_unit_test_setup(test_special_mask, setup),
		cmocka_unit_test_setup(test_poll, setup),
		cmocka_unit_test_setup(test_elcr_level, setup),
		cmocka_unit_test_setup(test_cascade, setup),
		cmocka_unit_test_setup(test_spurious, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
