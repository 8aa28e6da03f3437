#include "core/allocator.h"

#include <malloc.h>

namespace dvt {

void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  // Blocks up to 4 MB come from the heap and are reused; only larger ones get
  // their own mapping. Setting either value fixes both (glibc then stops
  // adapting them), so both are set.
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  // Up to 64 MB free at the top of a heap stay mapped for the next row group.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

}  // namespace dvt
