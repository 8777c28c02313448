/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest entry and interrupt stubs. kvmrec-vmm enters every vCPU at _start in
 * long mode with RDI = vCPU index and RSI = vCPU count (vmm/guest_abi.h).
 */
#define STACK_SHIFT	14	/* 16 KiB per vCPU */
#define MAX_VCPUS	8

	.section .text.start, "ax"
	.globl _start
_start:
	cli
	mov	%rdi, %rax
	inc	%rax
	shl	$STACK_SHIFT, %rax
	lea	guest_stacks(%rip), %rsp
	add	%rax, %rsp
	call	guest_start		/* (cpu, ncpus): never returns */
1:	cli
	hlt
	jmp	1b

/*
 * One 16-byte stub per vector: push a dummy error code where the CPU pushes
 * none, then the vector, then join isr_common. Handlers return with iretq
 * (64-bit iretq is what works on every KVM backend, including kvm-pvm).
 */
	.altmacro
	.macro ISR vec
	.balign 16
	.if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	isr_common
	.endm

	.text
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set i, 0
	.rept 256
	ISR %i
	.set i, i + 1
	.endr

isr_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi
	cld
	call	isr_dispatch
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp		/* vector, error code */
	iretq

	.bss
	.balign 4096
	.globl guest_stacks
guest_stacks:
	.skip	(1 << STACK_SHIFT) * MAX_VCPUS

	.section .note.GNU-stack, "", @progbits
