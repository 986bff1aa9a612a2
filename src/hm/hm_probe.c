/* HM: what this host's KVM can run, measured with small probe guests.
 *
 * hm_probe decides whether HM runs at all (a real-mode guest must reach an
 * `out` and a `hlt`). hm_probe_legacy_paging measures whether KVM lets a
 * 32-bit protected-mode guest turn on paging itself: VT-x and AMD-V KVM
 * do; kvm-pvm (which runs 64-bit paged guests only) raises #GP on the
 * MOV to CR0 and refuses such a state from KVM_SET_SREGS too. Where it
 * cannot, HM hands legacy protected mode (CR0.PE without EFER.LMA) to IEM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hm/hm_priv.h"

#define KVM_API 12
#define PROBE_MEM 0x3000 /* code at 0, then a page directory and a page table */

int hm_kvm_open(char *why, size_t len)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, len, "cannot open /dev/kvm: %s", strerror(errno));
        return -1;
    }
    int api = ioctl(fd, KVM_GET_API_VERSION, 0);
    if (api != KVM_API) {
        snprintf(why, len, "/dev/kvm speaks KVM API %d, pcvm needs %d", api, KVM_API);
        close(fd);
        return -1;
    }
    int sync = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
    unsigned need = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS;
    if (sync < 0 || ((unsigned)sync & need) != need || ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_NMI) <= 0) {
        snprintf(why, len, "KVM lacks KVM_CAP_SYNC_REGS or KVM_CAP_USER_NMI");
        close(fd);
        return -1;
    }
    return fd;
}

/* 32-bit flat protected mode, paging off, with an identity-mapped first
 * page ready in CR3 for the guest to turn paging on. */
static void probe_pm(struct kvm_sregs *s, uint8_t *mem)
{
    struct kvm_segment cs = {.limit = 0xffffffff, .selector = 8, .type = 11, .present = 1, .db = 1, .s = 1, .g = 1};
    struct kvm_segment ds = cs;
    uint32_t pde = 0x2000 | 3, pte = 0x0000 | 3;
    ds.selector = 16, ds.type = 3;
    s->cs = cs;
    s->ds = s->es = s->fs = s->gs = s->ss = ds;
    s->cr0 = CR0_PE | 0x10; /* ET */
    s->cr3 = 0x1000;
    s->cr4 = 0;
    s->efer = 0;
    memcpy(mem + 0x1000, &pde, 4);
    memcpy(mem + 0x2000, &pte, 4);
}

/* Runs code at 0 (real mode, or pm: protected mode as probe_pm sets up)
 * until `out 0x80` of 0x5a and `hlt`: 0 when it gets there, -1 with why. */
static int probe_run(int kvm, const uint8_t *code, size_t n, bool pm, char *why, size_t len)
{
    int vmfd = ioctl(kvm, KVM_CREATE_VM, 0), cpu = -1, size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0), rc = -1;
    uint8_t *mem = mmap(NULL, PROBE_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct kvm_run *run = MAP_FAILED;
    struct kvm_sregs s;
    struct kvm_regs r = {.rip = 0, .rflags = 2};
    bool out_seen = false;

    *why = 0;
    if (vmfd < 0 || mem == MAP_FAILED || size <= 0) {
        snprintf(why, len, "KVM_CREATE_VM: %s", strerror(errno));
        goto out;
    }
    memcpy(mem, code, n);
    struct kvm_userspace_memory_region m = {.slot = 0, .guest_phys_addr = 0, .memory_size = PROBE_MEM,
                                            .userspace_addr = (uintptr_t)mem};
    if (ioctl(vmfd, KVM_SET_USER_MEMORY_REGION, &m) < 0) {
        snprintf(why, len, "KVM refuses a memory slot: %s", strerror(errno));
        goto out;
    }
    if ((cpu = ioctl(vmfd, KVM_CREATE_VCPU, 0)) < 0) {
        snprintf(why, len, "KVM_CREATE_VCPU: %s", strerror(errno));
        goto out;
    }
    run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0);
    if (run == MAP_FAILED || ioctl(cpu, KVM_GET_SREGS, &s) < 0) {
        snprintf(why, len, "cannot map the KVM vCPU: %s", strerror(errno));
        goto out;
    }
    s.cs.base = 0, s.cs.selector = 0;
    if (pm)
        probe_pm(&s, mem);
    if (ioctl(cpu, KVM_SET_SREGS, &s) < 0 || ioctl(cpu, KVM_SET_REGS, &r) < 0) {
        snprintf(why, len, "KVM refuses the probe's registers: %s", strerror(errno));
        goto out;
    }
    for (int i = 0; i < 8 && rc < 0; i++) {
        if (ioctl(cpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR)
                continue;
            snprintf(why, len, "KVM_RUN: %s", strerror(errno));
            break;
        }
        if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0x80 &&
            *((uint8_t *)run + run->io.data_offset) == 0x5a)
            out_seen = true;
        else if (run->exit_reason == KVM_EXIT_HLT && out_seen)
            rc = 0;
        else {
            snprintf(why, len, "the KVM probe guest stopped with exit %u", run->exit_reason);
            break;
        }
    }
    if (rc < 0 && !*why)
        snprintf(why, len, "the KVM probe guest did not finish");
out:
    if (run != MAP_FAILED)
        munmap(run, (size_t)size);
    if (cpu >= 0)
        close(cpu);
    if (mem != MAP_FAILED)
        munmap(mem, PROBE_MEM);
    if (vmfd >= 0)
        close(vmfd);
    return rc;
}

int hm_probe(char *why, size_t len)
{
    static const uint8_t code[] = {0xb0, 0x5a, 0xe6, 0x80, 0xf4}; /* mov al, 0x5a; out 0x80, al; hlt */
    int kvm = hm_kvm_open(why, len);
    if (kvm < 0)
        return -1;
    int rc = probe_run(kvm, code, sizeof(code), false, why, len);
    close(kvm);
    return rc;
}

bool hm_probe_legacy_paging(int kvm)
{
    /* mov eax, cr0; or eax, CR0.PG; mov cr0, eax; mov al, 0x5a; out 0x80, al; hlt */
    static const uint8_t code[] = {0x0f, 0x20, 0xc0, 0x0d, 0, 0, 0, 0x80, 0x0f, 0x22,
                                   0xc0, 0xb0, 0x5a, 0xe6, 0x80, 0xf4};
    char why[160];
    return probe_run(kvm, code, sizeof(code), true, why, sizeof(why)) == 0;
}
