/* qrgate native-verifier harness: ARM Linux entry point (no libc). Thumb-2, Cortex-M3 subset. */
  .syntax unified
  .thumb
  .text
  .global _start
  .type _start, %function
  .thumb_func
_start:
  mov r0, sp            /* argc, argv[], envp[] as the kernel laid them out */
  bic r1, r0, #7
  mov sp, r1            /* 8-byte aligned stack for the AAPCS */
  bl harness_main
  movs r7, #248         /* exit_group(status) */
  svc #0
  b .

/* long sys(long n, long a, long b, long c, long d, long e, long f): Linux EABI syscall. */
  .global sys
  .type sys, %function
  .thumb_func
sys:
  push {r4, r5, r6, r7}
  mov r7, r0
  mov r0, r1
  mov r1, r2
  mov r2, r3
  ldr r3, [sp, #16]
  ldr r4, [sp, #20]
  ldr r5, [sp, #24]
  svc #0
  pop {r4, r5, r6, r7}
  bx lr

/* void *current_sp(void) */
  .global current_sp
  .type current_sp, %function
  .thumb_func
current_sp:
  mov r0, sp
  bx lr
