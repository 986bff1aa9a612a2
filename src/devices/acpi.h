/* ACPI: the PIIX4-style PM1 registers and the firmware tables (acpi.c). */
#ifndef PCVM_ACPI_H
#define PCVM_ACPI_H

#include <stddef.h>
#include <stdint.h>

struct vm;

#define ACPI_PM1_EVT 0x600
#define ACPI_PM1_CNT 0x604
#define ACPI_PM_TMR  0x608
#define ACPI_SCI_IRQ 9
#define ACPI_SLP_TYP_S5 0   /* PIIX4 PM: SLP_TYP 0 is soft off */
#define ACPI_SLP_TYP_S3 1   /* and 1 suspend to RAM (QEMU's \_S3) */
/* Where the tables go without -bios (a BIOS's read-only area). */
#define ACPI_RSDP_ADDR   0xe0000u
#define ACPI_TABLES_ADDR 0xe0040u
/* The MP configuration table (mptable.c), after the largest ACPI blob. */
#define MP_CONFIG_ADDR   0xe1100u
/* The ISA IRQs the MADT (and the MP table) make level-triggered, active high. */
#define ACPI_LEVEL_IRQS_N 4
extern const uint8_t acpi_level_irqs[ACPI_LEVEL_IRQS_N];
/* Writes the MP floating pointer (in the built-in BIOS ROM) and table. */
void mptable_install(struct vm *vm);

/* The tables as QEMU hands them to firmware: a blob of tables whose
 * pointer fields hold offsets into the blob, the RSDP, and the pointer
 * and checksum fix-ups a loader applies once it has placed both. */
#define ACPI_MAX_FIXUPS 24
struct acpi_fixup {
    uint8_t in_rsdp;  /* the field/table is in the RSDP, else in the tables blob */
    uint8_t size;     /* pointer: 4 or 8; checksum: 0 */
    uint32_t offset;  /* pointer field, or checksum byte */
    uint32_t start, length; /* checksum: the bytes it covers */
};
struct acpi_tables {
    uint8_t tables[4096];
    size_t len;
    uint8_t rsdp[36];
    struct acpi_fixup ptr[ACPI_MAX_FIXUPS], sum[ACPI_MAX_FIXUPS];
    unsigned nptr, nsum;
};

/* Builds every table for vm (FACS, DSDT, FADT, MADT, HPET, RSDT, XSDT). */
int acpi_build(struct vm *vm, struct acpi_tables *t);
/* Applies the fix-ups for tables at tables_addr and the RSDP at rsdp_addr. */
void acpi_link(struct acpi_tables *t, uint64_t rsdp_addr, uint64_t tables_addr);
/* QEMU's etc/table-loader commands for fw_cfg ("etc/acpi/tables",
 * "etc/acpi/rsdp"): returns the byte length written to out (cap bytes). */
size_t acpi_loader_script(const struct acpi_tables *t, uint8_t *out, size_t cap);
/* PM1 event/control registers (power off through SLP_EN) and, without
 * -bios, the tables in guest RAM at every reset. Bus device "acpi". */
int dev_acpi_create(struct vm *vm);
/* Presses the power button (PM1 PWRBTN_STS, an SCI when enabled);
 * -ENODEV when the machine has no ACPI device. */
int acpi_power_button(struct vm *vm);
/* The RTC alarm fired with AIE set: wakes a sleeping machine when RTC_EN. */
void acpi_rtc_alarm(struct vm *vm);
/* The FACS firmware waking vector the OS wrote (tables built by pcvm). */
uint32_t acpi_waking_vector(struct vm *vm);

#endif
