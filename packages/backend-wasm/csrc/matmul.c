/*
 * MatMul and BatchMatMulV2: `[..., m, k] x [..., k, n]`, transposes expressed as strides
 * (no copies). float32 goes through the packed GEMM (gemm.c); int32 through a plain
 * wrapping loop. A batch of small products runs one product per thread; a large product
 * is split across threads inside the GEMM.
 */
#include "gemm.h"
#include "threads.h"

typedef struct {
  uint32_t m, n, k, batch;
  const uint8_t* a;
  int32_t a_rs, a_cs;
  const uint8_t* b;
  int32_t b_rs, b_cs;
  uint8_t* c;
  const int32_t* a_offsets; /* element offset of each product's A, B */
  const int32_t* b_offsets;
  float* scratch;
  uint32_t scratch_floats;
} MatmulJob;

static void problem_of(const MatmulJob* job, uint32_t i, GemmProblem* g, StridedMatrix* a, StridedMatrix* b) {
  a->data = (const float*)job->a + job->a_offsets[i];
  a->row_stride = job->a_rs;
  a->col_stride = job->a_cs;
  b->data = (const float*)job->b + job->b_offsets[i];
  b->row_stride = job->b_rs;
  b->col_stride = job->b_cs;
  g->m = job->m;
  g->n = job->n;
  g->k = job->k;
  g->pack_a = gemm_pack_a_strided;
  g->a = a;
  g->pack_b = gemm_pack_b_strided;
  g->b = b;
  g->c = (float*)job->c + (size_t)i * job->m * job->n;
  g->ldc = job->n;
}

static void batch_task(void* context, uint32_t begin, uint32_t end, uint32_t thread) {
  MatmulJob* job = (MatmulJob*)context;
  for (uint32_t i = begin; i < end; i++) {
    GemmProblem g;
    StridedMatrix a, b;
    problem_of(job, i, &g, &a, &b);
    kiln_gemm_into(&g, job->scratch + (size_t)thread * job->scratch_floats);
  }
}

static void read_job(const int32_t* frame, MatmulJob* job) {
  job->m = (uint32_t)frame[0];
  job->n = (uint32_t)frame[1];
  job->k = (uint32_t)frame[2];
  job->a = (const uint8_t*)frame[3];
  job->a_rs = frame[4];
  job->a_cs = frame[5];
  job->b = (const uint8_t*)frame[6];
  job->b_rs = frame[7];
  job->b_cs = frame[8];
  job->c = (uint8_t*)frame[9];
  job->batch = (uint32_t)frame[10];
  job->a_offsets = frame + 11;
  job->b_offsets = frame + 11 + job->batch;
}

/**
 * float32 (batched) matmul. `frame` (int32): [m, n, k, a, a_row_stride, a_col_stride, b,
 * b_row_stride, b_col_stride, c, batch, a_offsets[batch], b_offsets[batch]]; C is dense
 * `[batch, m, n]`.
 */
int32_t KILN_EXPORT(kiln_matmul_f32)(const int32_t* frame) {
  MatmulJob job;
  read_job(frame, &job);
  uint32_t threads = gemm_threads(job.m, job.n, job.k);
  if (job.batch > 1 && threads <= 1) {
    uint32_t batch_threads = kiln_threads_for_work(2.0 * job.m * job.n * job.k * job.batch / 1e5);
    if (batch_threads > job.batch) batch_threads = job.batch;
    job.scratch_floats = gemm_scratch_bytes(job.n, job.k) / sizeof(float);
    job.scratch = kiln_scratch_alloc(batch_threads * job.scratch_floats * sizeof(float));
    if (!job.scratch) return KILN_ERR_NO_MEMORY;
    if (batch_threads <= 1) batch_task(&job, 0, job.batch, 0);
    else kiln_parallel_for(batch_task, &job, job.batch, batch_threads);
    kiln_scratch_free(job.scratch);
    return KILN_OK;
  }
  for (uint32_t i = 0; i < job.batch; i++) {
    GemmProblem g;
    StridedMatrix a, b;
    problem_of(&job, i, &g, &a, &b);
    int32_t status = kiln_gemm(&g, threads);
    if (status != KILN_OK) return status;
  }
  return KILN_OK;
}

/** int32 (batched) matmul with wrapping arithmetic; same frame as kiln_matmul_f32. */
int32_t KILN_EXPORT(kiln_matmul_i32)(const int32_t* frame) {
  MatmulJob job;
  read_job(frame, &job);
  for (uint32_t t = 0; t < job.batch; t++) {
    const int32_t* a = (const int32_t*)job.a + job.a_offsets[t];
    const int32_t* b = (const int32_t*)job.b + job.b_offsets[t];
    int32_t* c = (int32_t*)job.c + (size_t)t * job.m * job.n;
    for (uint32_t i = 0; i < job.m; i++) {
      for (uint32_t j = 0; j < job.n; j++) {
        uint32_t sum = 0;
        for (uint32_t p = 0; p < job.k; p++) {
          sum += (uint32_t)a[(size_t)i * job.a_rs + (size_t)p * job.a_cs] * (uint32_t)b[(size_t)p * job.b_rs + (size_t)j * job.b_cs];
        }
        c[(size_t)i * job.n + j] = (int32_t)sum;
      }
    }
  }
  return KILN_OK;
}
