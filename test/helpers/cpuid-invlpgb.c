/* Prints CPUID 0x80000008 EBX bit 3 (INVLPGB) and CPUID 1 ECX bit 17 (PCID) as "invlpgb pcid", each
 * 0 or 1, or "none" where the leaf is out of range: an independent reading of what inspect reports
 * in system.tlb.facts (x86 only). */
#include <cpuid.h>
#include <stdio.h>

int main(void) {
  unsigned a, b, c, d;
  if (__get_cpuid(0x80000008, &a, &b, &c, &d)) printf("%u ", (b >> 3) & 1);
  else printf("none ");
  if (__get_cpuid(1, &a, &b, &c, &d)) printf("%u\n", (c >> 17) & 1);
  else printf("none\n");
  return 0;
}
