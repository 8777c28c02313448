/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mbguest: a multiboot guest for recording QEMU. 32-bit protected mode with
 * interrupts off throughout (32-bit iret fails on kvm-pvm): prints a banner on
 * COM1, reads the line status register 64 times (IN exits whose data the
 * trace must carry), reads the HPET ID register (an MMIO read QEMU answers)
 * and MSR_CORE_THREAD_COUNT (an RDMSR QEMU answers through its MSR filter),
 * prints what it read, then exits through isa-debug-exit with 0x10, which
 * QEMU turns into exit status 33.
 */
	.section .multiboot, "a"
	.align 4
	.long 0x1badb002
	.long 0
	.long -0x1badb002

	.text
	.code32
	.globl _start
_start:
	cli
	mov $stack_top, %esp
	mov $banner, %esi
	call puts
	xor %ebx, %ebx
	mov $64, %ecx
1:	mov $0x3fd, %dx
	in %dx, %al
	movzbl %al, %eax
	add %eax, %ebx
	loop 1b
	mov $lsr_msg, %esi
	call puts
	mov %ebx, %eax
	call puthex
	mov $hpet_msg, %esi
	call puts
	mov 0xfed00000, %eax		/* HPET general capabilities and ID */
	call puthex
	mov $msr_msg, %esi
	call puts
	mov $0x35, %ecx			/* MSR_CORE_THREAD_COUNT: QEMU filters it to userspace */
	rdmsr
	call puthex
	mov $done_msg, %esi
	call puts
	mov $0xf4, %dx
	mov $0x10, %eax
	out %eax, %dx
2:	hlt
	jmp 2b

/* puts: %esi = NUL-terminated string */
puts:
	mov $0x3f8, %dx
3:	lodsb
	test %al, %al
	jz 4f
	out %al, %dx
	jmp 3b
4:	ret

/* puthex: %eax as 8 hex digits */
puthex:
	mov %eax, %edi
	mov $8, %ecx
	mov $0x3f8, %dx
5:	rol $4, %edi
	mov %edi, %eax
	and $0xf, %eax
	movb hexdigits(%eax), %al
	out %al, %dx
	loop 5b
	ret

	.section .rodata
banner:	.asciz "mbguest: hello from multiboot\n"
lsr_msg: .asciz "mbguest: LSR sum 0x"
hpet_msg: .asciz "\nmbguest: HPET ID 0x"
msr_msg: .asciz "\nmbguest: MSR 0x35 0x"
done_msg: .asciz "\nmbguest: done\n"
hexdigits: .ascii "0123456789abcdef"

	.bss
	.align 16
	.space 4096
stack_top:
	.section .note.GNU-stack, "", @progbits
