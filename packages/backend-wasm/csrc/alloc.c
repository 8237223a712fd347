/*
 * The heap: one linear memory, a size-class allocator on top of it.
 *
 * Every block has a 16-byte header (its size and whether it is in use) and 16-byte aligned
 * data. A request is rounded up to its size class (16-byte steps up to 256 bytes, then four
 * classes per power of two), so a plan that allocates the same shapes on every call gets
 * the same blocks back from the class free lists: no searching, no fragmentation from
 * repeated calls. Fresh blocks come from the top of the heap, which grows the memory when
 * needed. Only when the memory cannot grow any more are neighbouring free blocks merged and
 * larger free blocks split, so odd allocation patterns still use all of the memory.
 *
 * Only one thread allocates (the one that calls into the module from JS); worker threads
 * use memory handed to them.
 */
#include "kiln.h"

#define HEADER 16u
#define PAGE 65536u
#define SMALL_LIMIT 256u
#define CLASS_COUNT 128
/* Every block is allocated 16 bytes longer than asked, so SIMD loads may read past the end. */
#define SLACK 16u

typedef struct Block {
  uint32_t size;      /* whole block, header included */
  uint32_t used;      /* 1 in use, 0 free */
  struct Block* next; /* next free block of the same class */
  uint32_t pad;
} Block;

extern unsigned char __heap_base;

int32_t kiln_error_detail[8];

static Block* free_lists[CLASS_COUNT];
static uintptr_t heap_start;
static uintptr_t heap_top;
static uint32_t used_bytes;
static uint32_t used_blocks;
static uint32_t memory_limit_pages = 65536;

/* The size class index of a block size (header included), and the smallest size of a class. */
static uint32_t class_of(uint32_t size) {
  if (size <= SMALL_LIMIT) return (size + 15) / 16; /* 1..16 */
  uint32_t log = 31 - __builtin_clz(size);        /* size >= 2^log */
  uint32_t step = 1u << (log - 2);
  uint32_t quarter = (size - (1u << log)) / step; /* 0..3, rounded down */
  return 17 + (log - 8) * 4 + quarter;
}

static uint64_t class_size(uint32_t c) {
  if (c <= 16) return (uint64_t)c * 16;
  uint32_t log = (c - 17) / 4 + 8;
  uint32_t quarter = (c - 17) % 4;
  return ((uint64_t)1 << log) + (uint64_t)quarter * ((uint64_t)1 << (log - 2));
}

/* The block size a request gets: its class's size, so any free block of the class fits. */
static uint64_t rounded_size(uint32_t bytes) {
  uint64_t size = (uint64_t)bytes + HEADER + SLACK;
  size = (size + 15) & ~(uint64_t)15;
  if (size > 0xffffffffull) return 0;
  uint32_t c = class_of((uint32_t)size);
  uint64_t floor = class_size(c);
  return floor >= size ? floor : class_size(c + 1);
}

static void push_free(Block* block) {
  uint32_t c = class_of(block->size);
  block->used = 0;
  block->next = free_lists[c];
  free_lists[c] = block;
}

static void init_heap(void) {
  if (heap_start != 0) return;
  heap_start = ((uintptr_t)&__heap_base + 15) & ~(uintptr_t)15;
  heap_top = heap_start;
}

/* Makes sure the memory reaches `end` bytes, growing it (by at least an eighth) if needed. */
static int reach(uint64_t end) {
  uint64_t have = (uint64_t)__builtin_wasm_memory_size(0) * PAGE;
  if (end <= have) return 1;
  uint64_t need = (end - have + PAGE - 1) / PAGE;
  uint64_t pages = (uint64_t)__builtin_wasm_memory_size(0);
  uint64_t extra = pages / 8;
  if (need < extra) need = extra;
  if (pages + need > memory_limit_pages) need = (end - have + PAGE - 1) / PAGE;
  if (pages + need > memory_limit_pages) return 0;
  return __builtin_wasm_memory_grow(0, (size_t)need) != (size_t)-1;
}

/* Merges every run of neighbouring free blocks, rebuilding the free lists; lowers the top. */
static void coalesce(void) {
  for (int c = 0; c < CLASS_COUNT; c++) free_lists[c] = 0;
  uintptr_t p = heap_start;
  Block* last_free = 0;
  while (p < heap_top) {
    Block* block = (Block*)p;
    uintptr_t next = p + block->size;
    if (block->used) {
      if (last_free) push_free(last_free);
      last_free = 0;
    } else if (last_free) {
      last_free->size += block->size;
    } else {
      last_free = block;
    }
    p = next;
  }
  if (last_free) heap_top = (uintptr_t)last_free; /* a free tail returns to the top */
}

/* Takes a block of at least `size` bytes from the lists of larger classes, splitting it. */
static Block* take_larger(uint64_t size) {
  for (uint32_t c = class_of((uint32_t)size); c < CLASS_COUNT; c++) {
    Block** link = &free_lists[c];
    for (Block* block = *link; block; link = &block->next, block = block->next) {
      if (block->size < size) continue;
      *link = block->next;
      uint32_t rest = block->size - (uint32_t)size;
      if (rest >= 64) {
        Block* tail = (Block*)((uintptr_t)block + size);
        tail->size = rest;
        push_free(tail);
        block->size = (uint32_t)size;
      }
      return block;
    }
  }
  return 0;
}

/**
 * Allocates `bytes` (16-byte aligned, at least 16 bytes readable past the end); returns 0
 * when the memory cannot hold it. Example: `float* x = kiln_alloc(4 * n);`
 */
void* KILN_EXPORT(kiln_alloc)(uint32_t bytes) {
  init_heap();
  uint64_t size = rounded_size(bytes);
  if (size == 0) return 0;
  uint32_t c = class_of((uint32_t)size);
  Block* block = free_lists[c];
  if (block) {
    free_lists[c] = block->next;
  } else if (heap_top + size <= 0xfffffff0ull && reach(heap_top + size)) {
    block = (Block*)heap_top;
    block->size = (uint32_t)size;
    heap_top += size;
  } else {
    coalesce();
    block = take_larger(size);
    if (!block && heap_top + size <= 0xfffffff0ull && reach(heap_top + size)) {
      block = (Block*)heap_top;
      block->size = (uint32_t)size;
      heap_top += size;
    }
    if (!block) return 0;
  }
  block->used = 1;
  used_bytes += block->size;
  used_blocks++;
  return (unsigned char*)block + HEADER;
}

/** Returns a block to its class list. Freeing 0 does nothing. Example: `kiln_free(x);` */
void KILN_EXPORT(kiln_free)(void* ptr) {
  if (!ptr) return;
  Block* block = (Block*)((unsigned char*)ptr - HEADER);
  if (!block->used) return;
  used_bytes -= block->size;
  used_blocks--;
  push_free(block);
}

/** Caps the memory at `pages` 64 KiB pages (the wasm32 limit is 65536). */
void KILN_EXPORT(kiln_set_memory_limit)(uint32_t pages) { memory_limit_pages = pages; }

/** Heap statistics for tests and `memory()`: [used bytes, used blocks, heap top, memory bytes / 64 KiB]. */
int32_t* KILN_EXPORT(kiln_heap_stats)(void) {
  static int32_t stats[4];
  init_heap();
  stats[0] = (int32_t)used_bytes;
  stats[1] = (int32_t)used_blocks;
  stats[2] = (int32_t)heap_top;
  stats[3] = (int32_t)__builtin_wasm_memory_size(0);
  return stats;
}

/** The address of the error detail record the wrappers read after a failed kernel. */
int32_t* KILN_EXPORT(kiln_error_record)(void) { return kiln_error_detail; }

void* kiln_scratch_alloc(uint32_t bytes) {
  void* ptr = kiln_alloc(bytes);
  if (!ptr) kiln_error_detail[0] = (int32_t)bytes;
  return ptr;
}

void kiln_scratch_free(void* ptr) { kiln_free(ptr); }
