/*
 * wd-mm's C peer: DPDK's memory operations timed on the same sizes and working set as the JMH
 * suites (benchmarks/src/main/java/dev/wdmm/bench), one JSON object per line:
 *   {"benchmark":"dpdk.rte_malloc_free","param":"size=4096","ns_per_op":123.4,"error":5.6,
 *    "rounds":10,"ops_per_round":100000}
 * error is the half-width of the 99.9% confidence interval of the per-round means (as JMH's).
 *
 * Usage: wdmm_dpdk_bench <EAL args> -- --out FILE [--quick|--full|--smoke]
 * Run by benchmarks/dpdk/run.sh with --in-memory --no-pci --iova-mode=pa -l 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_mempool.h>

#define WORKING_SET (64UL << 20) /* as MapBench.WORKING_SET */
#define BLOCK (64UL << 10)       /* as MapBench.BLOCK */
#define SAMPLES (1U << 16)       /* as MapBench.SAMPLES */

struct plan {
	int warmup_rounds;
	int rounds;
	double round_ns; /* target duration of one round */
};

static FILE *out;
static struct plan plan = {3, 10, 100e6};
static volatile uint64_t sink;

typedef void (*op_fn)(void *ctx, uint64_t ops);

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Two-sided Student t for 99.9% (p = 0.9995), df = 1..30; beyond that ~3.29..3.65. */
static double t999(int df)
{
	static const double t[] = {0, 636.62, 31.60, 12.92, 8.61, 6.87, 5.96, 5.41, 5.04, 4.78, 4.59,
				   4.44, 4.32, 4.22, 4.14, 4.07, 4.01, 3.97, 3.92, 3.88, 3.85,
				   3.82, 3.79, 3.77, 3.75, 3.73, 3.71, 3.69, 3.67, 3.66, 3.65};
	if (df < 1)
		return 0;
	return df <= 30 ? t[df] : 3.50;
}

/* Ops per round so that one round takes about plan.round_ns. */
static uint64_t calibrate(op_fn fn, void *ctx)
{
	uint64_t ops = 1;
	for (;;) {
		double start = now_ns();
		fn(ctx, ops);
		double took = now_ns() - start;
		if (took >= 5e6 || ops >= (1ULL << 40)) {
			double per_op = took / ops;
			uint64_t n = (uint64_t)(plan.round_ns / per_op);
			return n < 1 ? 1 : n;
		}
		ops *= 2;
	}
}

static void measure(const char *name, const char *param, op_fn fn, void *ctx)
{
	uint64_t ops = calibrate(fn, ctx);
	double means[256];
	int rounds = plan.rounds > 256 ? 256 : plan.rounds;
	for (int i = 0; i < plan.warmup_rounds; i++)
		fn(ctx, ops);
	double sum = 0;
	for (int i = 0; i < rounds; i++) {
		double start = now_ns();
		fn(ctx, ops);
		means[i] = (now_ns() - start) / ops;
		sum += means[i];
	}
	double mean = sum / rounds, var = 0;
	for (int i = 0; i < rounds; i++)
		var += (means[i] - mean) * (means[i] - mean);
	double error = rounds > 1 ? t999(rounds - 1) * sqrt(var / (rounds - 1)) / sqrt(rounds) : 0;
	fprintf(out, "{\"benchmark\":\"dpdk.%s\",\"param\":\"%s\",\"ns_per_op\":%.3f,\"error\":%.3f,"
		     "\"rounds\":%d,\"ops_per_round\":%" PRIu64 "}\n",
		name, param, mean, error, rounds, ops);
	fflush(out);
	printf("dpdk.%-22s %-16s %12.3f ns/op  +- %.3f\n", name, param, mean, error);
}

/* ---- rte_mempool get + put, 4 KiB objects, per-lcore cache ---- */
static void op_mempool(void *ctx, uint64_t ops)
{
	struct rte_mempool *mp = ctx;
	void *obj;
	for (uint64_t i = 0; i < ops; i++) {
		if (rte_mempool_get(mp, &obj) != 0)
			rte_exit(EXIT_FAILURE, "rte_mempool_get failed: pool empty\n");
		rte_mempool_put(mp, obj);
	}
}

/* ---- rte_mempool_get_bulk + put_bulk of BULK objects; ops count objects, so ns/op is per object ---- */
#define BULK 32
static void op_mempool_bulk(void *ctx, uint64_t ops)
{
	struct rte_mempool *mp = ctx;
	void *objs[BULK];
	for (uint64_t i = 0; i < ops; i += BULK) {
		if (rte_mempool_get_bulk(mp, objs, BULK) != 0)
			rte_exit(EXIT_FAILURE, "rte_mempool_get_bulk failed: pool empty\n");
		rte_mempool_put_bulk(mp, objs, BULK);
	}
}

/* ---- rte_malloc + rte_free ---- */
static void op_malloc_free(void *ctx, uint64_t ops)
{
	size_t size = *(size_t *)ctx;
	for (uint64_t i = 0; i < ops; i++) {
		void *p = rte_malloc(NULL, size, 0);
		if (p == NULL)
			rte_exit(EXIT_FAILURE, "rte_malloc(size=%zu) failed\n", size);
		sink += (uintptr_t)p;
		rte_free(p);
	}
}

/* ---- translations over an address array ---- */
struct walk {
	void **addrs;
	uint32_t mask;
	uint32_t next;
};

static void op_malloc_virt2iova(void *ctx, uint64_t ops)
{
	struct walk *w = ctx;
	uint64_t acc = 0;
	for (uint64_t i = 0; i < ops; i++) {
		acc += rte_malloc_virt2iova(w->addrs[w->next]);
		w->next = (w->next + 1) & w->mask;
	}
	sink += acc;
}

static void op_memseg_iova(void *ctx, uint64_t ops)
{
	struct walk *w = ctx;
	uint64_t acc = 0;
	for (uint64_t i = 0; i < ops; i++) {
		const void *va = w->addrs[w->next];
		const struct rte_memseg *ms = rte_mem_virt2memseg(va, NULL);
		if (unlikely(ms == NULL))
			rte_exit(EXIT_FAILURE, "rte_mem_virt2memseg(%p) found no memseg\n", va);
		acc += ms->iova + RTE_PTR_DIFF(va, ms->addr);
		w->next = (w->next + 1) & w->mask;
	}
	sink += acc;
}

static void op_virt2phy(void *ctx, uint64_t ops)
{
	struct walk *w = ctx;
	uint64_t acc = 0;
	for (uint64_t i = 0; i < ops; i++) {
		acc += rte_mem_virt2phy(w->addrs[w->next]);
		w->next = (w->next + 1) & w->mask;
	}
	sink += acc;
}

static int by_address(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
	return x < y ? -1 : x > y;
}

static void shuffle(void **a, uint32_t n, uint64_t seed)
{
	for (uint32_t i = n - 1; i > 0; i--) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		uint32_t j = (uint32_t)((seed >> 33) % (i + 1));
		void *t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}

static void bench_translations(void)
{
	uint32_t nblocks = WORKING_SET / BLOCK;
	void **blocks = calloc(nblocks, sizeof(void *));
	void **starts = calloc(nblocks, sizeof(void *));
	void **interior = calloc(SAMPLES, sizeof(void *));
	if (!blocks || !starts || !interior)
		rte_exit(EXIT_FAILURE, "calloc failed\n");
	for (uint32_t i = 0; i < nblocks; i++) {
		blocks[i] = rte_malloc(NULL, BLOCK, 0);
		if (blocks[i] == NULL)
			rte_exit(EXIT_FAILURE, "rte_malloc(size=%lu) for the working set failed: reserve more hugepages\n", BLOCK);
		memset(blocks[i], 0, BLOCK);
	}
	memcpy(starts, blocks, nblocks * sizeof(void *));
	qsort(starts, nblocks, sizeof(void *), by_address);
	uint64_t stride = WORKING_SET / SAMPLES;
	for (uint32_t i = 0; i < SAMPLES; i++) {
		uint64_t at = i * stride;
		/* the same interior offsets as MapBench.interiorOffset */
		interior[i] = RTE_PTR_ADD(starts[at / BLOCK], at % BLOCK + 64 + (i % 8) * 64);
	}
	const char *orders[] = {"sequential", "shuffled"};
	for (int o = 0; o < 2; o++) {
		char param[64];
		snprintf(param, sizeof(param), "order=%s", orders[o]);
		if (o == 1) {
			shuffle(starts, nblocks, 0x5eed);
			shuffle(interior, SAMPLES, 0x5eed);
		}
		struct walk ws = {starts, nblocks - 1, 0};
		measure("rte_malloc_virt2iova", param, op_malloc_virt2iova, &ws);
		struct walk wi = {interior, SAMPLES - 1, 0};
		measure("rte_mem_virt2memseg", param, op_memseg_iova, &wi);
		if (o == 1) {
			struct walk wp = {interior, SAMPLES - 1, 0};
			measure("rte_mem_virt2phy", param, op_virt2phy, &wp);
		}
	}
	for (uint32_t i = 0; i < nblocks; i++)
		rte_free(blocks[i]);
	free(blocks);
	free(starts);
	free(interior);
}

static void bench_mempool(void)
{
	struct rte_mempool *mp = rte_mempool_create("wdmm_bench", 8191, 4096, RTE_MEMPOOL_CACHE_MAX_SIZE,
						    0, NULL, NULL, NULL, NULL, SOCKET_ID_ANY, 0);
	if (mp == NULL)
		rte_exit(EXIT_FAILURE, "rte_mempool_create failed: %s\n", rte_strerror(rte_errno));
	measure("rte_mempool_get_put", "size=4096", op_mempool, mp);
	measure("rte_mempool_bulk_get_put", "size=4096", op_mempool_bulk, mp);
	rte_mempool_free(mp);
}

static void bench_malloc(int smoke)
{
	static const size_t sizes[] = {64, 4096, 65536, 1048576};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (smoke && sizes[i] != 4096)
			continue;
		char param[64];
		snprintf(param, sizeof(param), "size=%zu", sizes[i]);
		size_t size = sizes[i];
		measure("rte_malloc_free", param, op_malloc_free, &size);
	}
}

int main(int argc, char **argv)
{
	int used = rte_eal_init(argc, argv);
	if (used < 0)
		rte_exit(EXIT_FAILURE, "rte_eal_init failed: %s\n", rte_strerror(rte_errno));
	argc -= used;
	argv += used;
	const char *path = NULL;
	int smoke = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strcmp(argv[i], "--quick") == 0) {
			plan = (struct plan){2, 5, 50e6};
		} else if (strcmp(argv[i], "--full") == 0) {
			plan = (struct plan){5, 20, 200e6};
		} else if (strcmp(argv[i], "--smoke") == 0) {
			plan = (struct plan){0, 2, 5e6};
			smoke = 1;
		} else {
			rte_exit(EXIT_FAILURE, "argument=%s unknown; use --out FILE [--quick|--full|--smoke]\n", argv[i]);
		}
	}
	if (path == NULL)
		rte_exit(EXIT_FAILURE, "--out FILE is required\n");
	out = fopen(path, "w");
	if (out == NULL)
		rte_exit(EXIT_FAILURE, "fopen(%s): %s\n", path, strerror(errno));
	printf("dpdk: iova mode %s, lcore %u\n", rte_eal_iova_mode() == RTE_IOVA_PA ? "PA" : "VA", rte_lcore_id());
	bench_mempool();
	bench_malloc(smoke);
	bench_translations();
	fclose(out);
	rte_eal_cleanup();
	return 0;
}
