// Intel's ISA-L (Debian's libisal-dev): CRC-32C with the processor's CRC and carry-less multiply
// instructions where it has them, chosen at run time. Only HeraldSpool's CRC32C imports it.
#include <isa-l/crc.h>
