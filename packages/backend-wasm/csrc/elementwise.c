/*
 * Runs the generated elementwise kernels (generated/elementwise_kernels.c) three ways:
 *
 * - kiln_ew_same: every input holds exactly the output's elements (the common case);
 * - kiln_ew_strided: NumPy broadcasting over a collapsed layout (inner stride 0 or 1);
 *   an input repeated along the inner dim is splatted into a small buffer once per row;
 * - kiln_ew_program: a fused cluster (a traced function's elementwise chain) as a little
 *   op program, interpreted one block of BLOCK elements at a time: every op runs over the
 *   block, intermediates stay in L1-sized buffers (shared once a value is dead: a chain
 *   uses two), and only the cluster's outputs reach memory. An input that broadcasts (a
 *   bias row) is gathered into a block buffer in output
 *   order first. Consecutive cheap ops (add, mul, relu, a sign mask...) whose results
 *   feed only the next op form a register run instead (kiln_ew_run, generated): one pass
 *   over the block applies them all to values held in registers. Each op is the same
 *   kernel (or the same C, in a run) that eager execution runs, so fused and unfused
 *   results are bit-identical (in a run, but for the sign and payload of NaN results).
 *
 * Large loops are split across threads in whole blocks.
 */
#include "elementwise.h"
#include "threads.h"

#define BLOCK 256u
#define MAX_RANK 8
#define MAX_FUSED_OPS 64
#define MAX_FUSED_VALUES 16

/* Blocks of at least this many elements per thread before threads are used. */
#define PARALLEL_ELEMENTS 32768u

static uint32_t threads_for(uint32_t n) {
  uint32_t threads = kiln_thread_count();
  uint32_t useful = n / PARALLEL_ELEMENTS;
  if (useful < 1) useful = 1;
  return useful < threads ? useful : threads;
}

/*
 * Tasks per claim for `tasks` tasks of `task_elements` elements: about 16K elements (tens
 * of microseconds), and at least 8 claims per thread, so a worker that wakes late takes
 * its share of the rest instead of leaving the caller one long last chunk.
 */
static uint32_t claim_size(uint32_t tasks, uint32_t task_elements, uint32_t threads) {
  uint32_t chunk = 16384u / task_elements;
  uint32_t fair = tasks / (threads * 8);
  if (chunk > fair) chunk = fair;
  return chunk < 1 ? 1 : chunk;
}

/* ---- same layout ---- */

typedef struct {
  kiln_ew_kernel kernel;
  const uint8_t* in[3];
  uint32_t in_size[3];
  uint8_t* out;
  uint32_t out_size;
  uint32_t n;
  uint32_t arity;
  uint32_t chunk;
} SameJob;

static void same_task(void* context, uint32_t begin, uint32_t end, uint32_t thread) {
  (void)thread;
  SameJob* job = (SameJob*)context;
  uint32_t first = begin * job->chunk;
  uint32_t last = end * job->chunk;
  if (last > job->n) last = job->n;
  const uint8_t* in[3];
  for (uint32_t k = 0; k < job->arity; k++) in[k] = job->in[k] + (size_t)first * job->in_size[k];
  job->kernel(in, job->out + (size_t)first * job->out_size, last - first);
}

/**
 * out[i] = op(in0[i], in1[i], in2[i]) for i < n; element sizes in bytes (4, or 1 for bool).
 * Example: kiln_ew_same(kernel_id, out, 4, x, 4, y, 4, 0, 0, n).
 */
int32_t KILN_EXPORT(kiln_ew_same)(uint32_t kernel, uint8_t* out, uint32_t out_size, const uint8_t* in0, uint32_t size0,
                                  const uint8_t* in1, uint32_t size1, const uint8_t* in2, uint32_t size2, uint32_t n, uint32_t arity) {
  if (kernel >= kiln_ew_kernel_count) return KILN_ERR_ARGUMENT;
  SameJob job = {kiln_ew_kernels[kernel], {in0, in1, in2}, {size0, size1, size2}, out, out_size, n, arity, n};
  uint32_t threads = threads_for(n);
  if (threads <= 1) {
    if (n > 0) job.kernel(job.in, out, n);
    return KILN_OK;
  }
  /* Tasks of 4K elements, claimed a few at a time (claim_size). */
  job.chunk = 4096;
  uint32_t tasks = (n + job.chunk - 1) / job.chunk;
  kiln_parallel_for_chunks(same_task, &job, tasks, threads, claim_size(tasks, job.chunk, threads));
  return KILN_OK;
}

/* ---- broadcast layout ---- */

typedef struct {
  kiln_ew_kernel kernel;
  uint32_t arity;
  uint8_t* out;
  uint32_t out_size;
  const uint8_t* in[3];
  uint32_t in_size[3];
  uint32_t rank;
  uint32_t shape[MAX_RANK];
  int32_t strides[3][MAX_RANK]; /* element strides; the inner one is 0 or 1 */
  uint32_t rows;                /* product of the outer dims */
  uint8_t* splat;               /* per thread: 3 * BLOCK * 4 bytes */
} StridedJob;

static void strided_task(void* context, uint32_t begin, uint32_t end, uint32_t thread) {
  StridedJob* job = (StridedJob*)context;
  uint32_t rank = job->rank;
  uint32_t inner = job->shape[rank - 1];
  uint8_t* splat = job->splat + (size_t)thread * 3 * BLOCK * 4;
  /* Odometer start for row `begin`. */
  uint32_t index[MAX_RANK] = {0};
  int64_t offset[3] = {0, 0, 0};
  uint32_t row = begin;
  for (int d = (int)rank - 2; d >= 0; d--) {
    index[d] = row % job->shape[d];
    row /= job->shape[d];
    for (uint32_t k = 0; k < job->arity; k++) offset[k] += (int64_t)index[d] * job->strides[k][d];
  }
  for (uint32_t r = begin; r < end; r++) {
    const uint8_t* in[3];
    int repeated[3];
    for (uint32_t k = 0; k < job->arity; k++) {
      const uint8_t* p = job->in[k] + offset[k] * job->in_size[k];
      repeated[k] = job->strides[k][rank - 1] == 0 && inner > 1;
      if (repeated[k]) {
        uint8_t* buffer = splat + k * BLOCK * 4;
        uint32_t fill = inner < BLOCK ? inner : BLOCK;
        if (job->in_size[k] == 4) {
          uint32_t v;
          memcpy(&v, p, 4);
          for (uint32_t j = 0; j < fill; j++) ((uint32_t*)buffer)[j] = v;
        } else {
          memset(buffer, *p, fill);
        }
        p = buffer;
      }
      in[k] = p;
    }
    uint8_t* out = job->out + (size_t)r * inner * job->out_size;
    for (uint32_t j = 0; j < inner; j += BLOCK) {
      uint32_t len = inner - j < BLOCK ? inner - j : BLOCK;
      const uint8_t* chunk[3];
      for (uint32_t k = 0; k < job->arity; k++) chunk[k] = repeated[k] ? in[k] : in[k] + (size_t)j * job->in_size[k];
      job->kernel(chunk, out + (size_t)j * job->out_size, len);
    }
    for (int d = (int)rank - 2; d >= 0; d--) {
      for (uint32_t k = 0; k < job->arity; k++) offset[k] += job->strides[k][d];
      if (++index[d] < job->shape[d]) break;
      for (uint32_t k = 0; k < job->arity; k++) offset[k] -= (int64_t)job->strides[k][d] * job->shape[d];
      index[d] = 0;
    }
  }
}

/**
 * Broadcasting elementwise op. `frame` (int32): [kernel, arity, out, out_size, in0, size0,
 * in1, size1, in2, size2, rank, shape[rank], strides[arity][rank]].
 */
int32_t KILN_EXPORT(kiln_ew_strided)(const int32_t* frame) {
  StridedJob job;
  uint32_t kernel = (uint32_t)frame[0];
  if (kernel >= kiln_ew_kernel_count) return KILN_ERR_ARGUMENT;
  job.kernel = kiln_ew_kernels[kernel];
  job.arity = (uint32_t)frame[1];
  job.out = (uint8_t*)frame[2];
  job.out_size = (uint32_t)frame[3];
  for (uint32_t k = 0; k < 3; k++) {
    job.in[k] = (const uint8_t*)frame[4 + 2 * k];
    job.in_size[k] = (uint32_t)frame[5 + 2 * k];
  }
  job.rank = (uint32_t)frame[10];
  if (job.rank < 1 || job.rank > MAX_RANK || job.arity > 3) return KILN_ERR_ARGUMENT;
  const int32_t* p = frame + 11;
  uint64_t total = 1;
  job.rows = 1;
  for (uint32_t d = 0; d < job.rank; d++) {
    job.shape[d] = (uint32_t)*p++;
    total *= job.shape[d];
    if (d + 1 < job.rank) job.rows *= job.shape[d];
  }
  for (uint32_t k = 0; k < job.arity; k++)
    for (uint32_t d = 0; d < job.rank; d++) job.strides[k][d] = *p++;
  if (total == 0) return KILN_OK;
  uint32_t threads = threads_for((uint32_t)(total > 0xffffffffu ? 0xffffffffu : total));
  if (threads > job.rows) threads = job.rows;
  job.splat = kiln_scratch_alloc(threads * 3 * BLOCK * 4);
  if (!job.splat) return KILN_ERR_NO_MEMORY;
  if (threads <= 1) strided_task(&job, 0, job.rows, 0);
  else kiln_parallel_for(strided_task, &job, job.rows, threads);
  kiln_scratch_free(job.splat);
  return KILN_OK;
}

/* ---- fused programs ---- */

typedef struct {
  kiln_ew_kernel kernel;
  uint32_t arity;
  int32_t operands[3]; /* >= 0: the result of op i; < 0: input -(k + 1) */
  int32_t output;      /* >= 0: the cluster output it is written to; < 0: a block buffer only */
  uint32_t size;       /* element size of its result */
} FusedOp;

/* How a fused program reads an input: the output's elements, one element, or a broadcast view. */
enum { INPUT_PLAIN = 0, INPUT_SCALAR = 1, INPUT_BROADCAST = 2 };
#define BROADCAST_RANK 6

/* A broadcast input: collapsed output dims and the input's element strides (inner one 0 or 1). */
typedef struct {
  uint32_t rank;
  uint32_t shape[BROADCAST_RANK];
  int32_t strides[BROADCAST_RANK];
} BroadcastView;

/* Writes elements [start, start + len) of the output order of a broadcast view of `src` into `dst`. */
static void gather_block(uint8_t* dst, const uint8_t* src, uint32_t size, const BroadcastView* view, uint32_t start, uint32_t len) {
  uint32_t index[BROADCAST_RANK];
  int64_t offset = 0;
  uint32_t rest = start;
  for (int d = (int)view->rank - 1; d >= 0; d--) {
    index[d] = rest % view->shape[d];
    rest /= view->shape[d];
    offset += (int64_t)index[d] * view->strides[d];
  }
  uint32_t last = view->rank - 1;
  while (len > 0) {
    uint32_t run = view->shape[last] - index[last];
    if (run > len) run = len;
    const uint8_t* p = src + offset * size;
    if (view->strides[last] == 1) {
      memcpy(dst, p, (size_t)run * size);
    } else if (size == 4) {
      uint32_t v;
      memcpy(&v, p, 4);
      for (uint32_t j = 0; j < run; j++) ((uint32_t*)dst)[j] = v;
    } else {
      memset(dst, *p, run);
    }
    dst += (size_t)run * size;
    len -= run;
    offset += (int64_t)run * view->strides[last];
    index[last] += run;
    for (int d = (int)last; d > 0 && index[d] == view->shape[d]; d--) {
      offset -= (int64_t)view->strides[d] * view->shape[d];
      index[d] = 0;
      index[d - 1]++;
      offset += view->strides[d - 1];
    }
  }
}

typedef struct {
  uint32_t n;
  uint32_t input_count;
  uint32_t op_count;
  const uint8_t* inputs[MAX_FUSED_VALUES];
  uint32_t input_size[MAX_FUSED_VALUES];
  uint32_t input_kind[MAX_FUSED_VALUES];
  BroadcastView views[MAX_FUSED_VALUES];
  uint8_t* outputs[MAX_FUSED_VALUES];
  FusedOp ops[MAX_FUSED_OPS];
  uint32_t slot[MAX_FUSED_OPS]; /* the block buffer of each op whose result is not a cluster output */
  uint32_t slot_count;
  uint32_t run_length[MAX_FUSED_OPS]; /* at the first op of a register run: its op count (1: a kernel call) */
  uint32_t run_code[MAX_FUSED_OPS];   /* each op's case in kiln_ew_run: 2 * kernel + (running value is x1) */
  uint32_t run_other[MAX_FUSED_OPS];  /* the operand (0 or 1) an op of a run reads from memory */
  uint8_t* scratch; /* per thread: (inputs + slots) * BLOCK * 4 bytes */
  uint32_t scratch_per_thread;
} Program;

static void program_task(void* context, uint32_t begin, uint32_t end, uint32_t thread) {
  Program* program = (Program*)context;
  uint8_t* scratch = program->scratch + (size_t)thread * program->scratch_per_thread;
  uint8_t* splats = scratch;
  uint8_t* temps = scratch + program->input_count * BLOCK * 4;
  for (uint32_t k = 0; k < program->input_count; k++) {
    if (program->input_kind[k] != INPUT_SCALAR) continue;
    uint8_t* buffer = splats + k * BLOCK * 4;
    if (program->input_size[k] == 4) {
      uint32_t v;
      memcpy(&v, program->inputs[k], 4);
      for (uint32_t j = 0; j < BLOCK; j++) ((uint32_t*)buffer)[j] = v;
    } else {
      memset(buffer, program->inputs[k][0], BLOCK);
    }
  }
  /*
   * Every pointer an op reads or writes is base + block * step (step 0 for block buffers),
   * worked out once here, so the per-block loop does no operand decoding.
   */
  const uint8_t* in_base[MAX_FUSED_OPS][3];
  uint32_t in_step[MAX_FUSED_OPS][3];
  uint8_t* out_base[MAX_FUSED_OPS];
  uint32_t out_step[MAX_FUSED_OPS];
  for (uint32_t j = 0; j < program->op_count; j++) {
    const FusedOp* op = &program->ops[j];
    for (uint32_t k = 0; k < 3; k++) {
      int32_t ref = op->operands[k];
      if (k >= op->arity) {
        in_base[j][k] = splats; /* unused */
        in_step[j][k] = 0;
      } else if (ref >= 0) {
        in_base[j][k] = out_base[ref];
        in_step[j][k] = out_step[ref];
      } else {
        uint32_t input = (uint32_t)(-ref - 1);
        int plain = program->input_kind[input] == INPUT_PLAIN;
        in_base[j][k] = plain ? program->inputs[input] : splats + input * BLOCK * 4;
        in_step[j][k] = plain ? BLOCK * program->input_size[input] : 0;
      }
    }
    out_base[j] = op->output >= 0 ? program->outputs[op->output] : temps + program->slot[j] * BLOCK * 4;
    out_step[j] = op->output >= 0 ? BLOCK * op->size : 0;
  }
  for (uint32_t b = begin; b < end; b++) {
    uint32_t start = b * BLOCK;
    uint32_t len = program->n - start < BLOCK ? program->n - start : BLOCK;
    for (uint32_t k = 0; k < program->input_count; k++) {
      if (program->input_kind[k] == INPUT_BROADCAST) gather_block(splats + k * BLOCK * 4, program->inputs[k], program->input_size[k], &program->views[k], start, len);
    }
    for (uint32_t j = 0; j < program->op_count;) {
      uint32_t run = program->run_length[j];
      if (run > 1) {
        /* A register run over ops j .. j + run - 1: one pass, the running value in registers. */
        const uint8_t* operands[KILN_EW_MAX_RUN];
        for (uint32_t k = 0; k < run; k++) {
          uint32_t other = program->run_other[j + k];
          operands[k] = in_base[j + k][other] + (size_t)b * in_step[j + k][other];
        }
        uint32_t last = j + run - 1;
        const uint8_t* first = in_base[j][0] + (size_t)b * in_step[j][0];
        kiln_ew_run(&program->run_code[j], operands, run, first, out_base[last] + (size_t)b * out_step[last], len);
        j += run;
        continue;
      }
      const uint8_t* in[3] = {in_base[j][0] + (size_t)b * in_step[j][0], in_base[j][1] + (size_t)b * in_step[j][1], in_base[j][2] + (size_t)b * in_step[j][2]};
      program->ops[j].kernel(in, out_base[j] + (size_t)b * out_step[j], len);
      j++;
    }
  }
}

/*
 * Gives each intermediate a block buffer, reusing the buffer of a value after its last
 * reader: a chain of unary ops needs two. An op's buffer is taken before its operands'
 * are released, so no op writes the buffer it reads (kernels with bool operands read
 * bytes and write words). Returns KILN_ERR_ARGUMENT for an operand that is not an earlier op.
 */
static int32_t assign_slots(Program* program) {
  uint32_t last_use[MAX_FUSED_OPS];
  for (uint32_t j = 0; j < program->op_count; j++) {
    last_use[j] = j;
    for (uint32_t k = 0; k < program->ops[j].arity; k++) {
      int32_t ref = program->ops[j].operands[k];
      if (ref >= (int32_t)j) return KILN_ERR_ARGUMENT;
      if (ref >= 0) last_use[ref] = j;
      else if ((uint32_t)(-ref - 1) >= program->input_count) return KILN_ERR_ARGUMENT;
    }
  }
  uint64_t busy = 0;
  program->slot_count = 0;
  for (uint32_t j = 0; j < program->op_count; j++) {
    if (program->ops[j].output < 0) {
      uint32_t free_slot = 0;
      while (busy >> free_slot & 1) free_slot++;
      busy |= (uint64_t)1 << free_slot;
      program->slot[j] = free_slot;
      if (free_slot + 1 > program->slot_count) program->slot_count = free_slot + 1;
    }
    for (uint32_t k = 0; k < program->ops[j].arity; k++) {
      int32_t ref = program->ops[j].operands[k];
      if (ref >= 0 && last_use[ref] == j && program->ops[ref].output < 0) busy &= ~((uint64_t)1 << program->slot[ref]);
    }
    if (last_use[j] == j && program->ops[j].output < 0) busy &= ~((uint64_t)1 << program->slot[j]);
  }
  return KILN_OK;
}

/*
 * Groups consecutive cheap ops into register runs (kiln_ew_run): op j joins op j - 1's run
 * when both kernels can take a run role (kiln_ew_run_roles), op j reads op j - 1's result
 * through exactly one operand, and nothing else needs that result (no other reader, not a
 * cluster output), so it never has to reach a buffer. A run's first op starts from its
 * operand 0. A unary op's "other" operand is its operand 0: a readable block, never used.
 * `kernels` holds each op's kernel id.
 */
/* Register runs formed so far and the ops they hold (for tests and tuning). */
static uint32_t run_stats[2];

/** [runs formed, ops in them] over every fused program so far. */
uint32_t* KILN_EXPORT(kiln_ew_run_stats)(void) { return run_stats; }

static void find_runs(Program* program, const uint32_t* kernels) {
  uint32_t readers[MAX_FUSED_OPS] = {0};
  for (uint32_t j = 0; j < program->op_count; j++)
    for (uint32_t k = 0; k < program->ops[j].arity; k++)
      if (program->ops[j].operands[k] >= 0) readers[program->ops[j].operands[k]]++;
  uint32_t start = 0;
  for (uint32_t j = 0; j < program->op_count; j++) {
    const FusedOp* op = &program->ops[j];
    uint32_t roles = kiln_ew_run_roles[kernels[j]];
    uint32_t acc = 2; /* the operand holding op j - 1's result (2: neither, or both) */
    if (j > 0) {
      int first = op->operands[0] == (int32_t)j - 1;
      int second = op->arity >= 2 && op->operands[1] == (int32_t)j - 1;
      if (first != second) acc = first ? 0 : 1;
    }
    int joins = acc != 2 && (roles >> acc & 1) && kiln_ew_run_roles[kernels[j - 1]] != 0 && readers[j - 1] == 1 &&
                program->ops[j - 1].output < 0 && j - start < KILN_EW_MAX_RUN;
    if (!joins) {
      start = j;
      acc = 0;
    }
    program->run_length[j] = 1;
    program->run_length[start] = j - start + 1;
    program->run_code[j] = 2 * kernels[j] + acc;
    program->run_other[j] = op->arity == 2 ? 1 - acc : 0;
  }
  for (uint32_t j = 0; j < program->op_count; j += program->run_length[j]) {
    if (program->run_length[j] < 2) continue;
    run_stats[0]++;
    run_stats[1] += program->run_length[j];
  }
}

/**
 * Runs a fused cluster over `n` elements. `frame` (int32): [n, input_count, output_count,
 * op_count, then per input (ptr, size, kind, rank, shape[6], strides[6]: kind 0 plain,
 * 1 scalar, 2 broadcast with its collapsed view), per output ptr, per op (kernel, arity,
 * operand0, operand1, operand2, output, size)].
 */
int32_t KILN_EXPORT(kiln_ew_program)(const int32_t* frame) {
  Program program;
  program.n = (uint32_t)frame[0];
  program.input_count = (uint32_t)frame[1];
  uint32_t output_count = (uint32_t)frame[2];
  program.op_count = (uint32_t)frame[3];
  if (program.input_count > MAX_FUSED_VALUES || output_count > MAX_FUSED_VALUES || program.op_count > MAX_FUSED_OPS) return KILN_ERR_ARGUMENT;
  const int32_t* p = frame + 4;
  for (uint32_t k = 0; k < program.input_count; k++) {
    program.inputs[k] = (const uint8_t*)p[0];
    program.input_size[k] = (uint32_t)p[1];
    program.input_kind[k] = (uint32_t)p[2];
    program.views[k].rank = (uint32_t)p[3];
    if (program.input_kind[k] == INPUT_BROADCAST && (program.views[k].rank < 1 || program.views[k].rank > BROADCAST_RANK)) return KILN_ERR_ARGUMENT;
    for (uint32_t d = 0; d < BROADCAST_RANK; d++) {
      program.views[k].shape[d] = (uint32_t)p[4 + d];
      program.views[k].strides[d] = p[4 + BROADCAST_RANK + d];
    }
    p += 4 + 2 * BROADCAST_RANK;
  }
  for (uint32_t k = 0; k < output_count; k++) program.outputs[k] = (uint8_t*)*p++;
  uint32_t kernels[MAX_FUSED_OPS];
  for (uint32_t j = 0; j < program.op_count; j++) {
    uint32_t kernel = (uint32_t)p[0];
    if (kernel >= kiln_ew_kernel_count) return KILN_ERR_ARGUMENT;
    kernels[j] = kernel;
    FusedOp* op = &program.ops[j];
    op->kernel = kiln_ew_kernels[kernel];
    op->arity = (uint32_t)p[1];
    op->operands[0] = p[2];
    op->operands[1] = p[3];
    op->operands[2] = p[4];
    op->output = p[5];
    op->size = (uint32_t)p[6];
    p += 7;
  }
  if (program.n == 0) return KILN_OK;
  uint32_t blocks = (program.n + BLOCK - 1) / BLOCK;
  uint32_t threads = threads_for(program.n);
  if (threads > blocks) threads = blocks;
  int32_t status = assign_slots(&program);
  if (status != KILN_OK) return status;
  find_runs(&program, kernels);
  program.scratch_per_thread = (program.input_count + program.slot_count) * BLOCK * 4;
  program.scratch = kiln_scratch_alloc(threads * program.scratch_per_thread);
  if (!program.scratch) return KILN_ERR_NO_MEMORY;
  if (threads <= 1) program_task(&program, 0, blocks, 0);
  else kiln_parallel_for_chunks(program_task, &program, blocks, threads, claim_size(blocks, BLOCK, threads));
  kiln_scratch_free(program.scratch);
  return KILN_OK;
}
