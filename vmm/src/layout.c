/* Placing a guest's boot files in its RAM (vmm/layout.h). */
#include <string.h>

#include <vmm/layout.h>

/* The riscv Image header (Documentation/arch/riscv/boot-image-header.rst). */
#define IMAGE_HEADER_SIZE   64
#define IMAGE_SIZE_OFFSET   16
#define IMAGE_MAGIC2_OFFSET 56
#define IMAGE_MAGIC2        "RSC\x05"

static uint64_t read_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint64_t guest_kernel_footprint(const void *kernel, uint64_t kernel_size)
{
	const unsigned char *k = kernel;
	if (kernel_size < IMAGE_HEADER_SIZE || memcmp(k + IMAGE_MAGIC2_OFFSET, IMAGE_MAGIC2, 4))
		return kernel_size;
	uint64_t image_size = read_le64(k + IMAGE_SIZE_OFFSET);
	return image_size > kernel_size ? image_size : kernel_size;
}

static uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

int guest_layout_plan(uint64_t ram_base, uint64_t ram_size, const void *kernel,
                      uint64_t kernel_size, uint64_t initrd_size, struct guest_layout *out)
{
	memset(out, 0, sizeof(*out));
	if ((ram_base | ram_size) & (LAYOUT_PAGE - 1) || ram_base + ram_size < ram_base ||
	    ram_size < LAYOUT_KERNEL_OFFSET + LAYOUT_DTB_SPACE)
		return LAYOUT_ERAM;
	uint64_t dtb = ram_base + ram_size - LAYOUT_DTB_SPACE;
	uint64_t start = ram_base + LAYOUT_KERNEL_OFFSET;
	uint64_t footprint = guest_kernel_footprint(kernel, kernel_size);
	if (kernel_size == 0 || footprint > dtb - start)
		return LAYOUT_EKERNEL;
	uint64_t kernel_end = start + footprint;
	uint64_t initrd = 0;
	if (initrd_size) {
		if (initrd_size > dtb - kernel_end)
			return LAYOUT_EINITRD;
		initrd = align_down(dtb - initrd_size, LAYOUT_PAGE);
		if (initrd < kernel_end)
			return LAYOUT_EINITRD;
	}
	*out = (struct guest_layout){.kernel_gpa = start,
	                             .kernel_end = kernel_end,
	                             .initrd_gpa = initrd,
	                             .initrd_end = initrd ? initrd + initrd_size : 0,
	                             .dtb_gpa = dtb};
	return LAYOUT_OK;
}

const char *guest_layout_strerror(int err)
{
	switch (err) {
	case LAYOUT_OK:
		return "ok";
	case LAYOUT_ERAM:
		return "guest RAM too small for a kernel and a device tree";
	case LAYOUT_EKERNEL:
		return "the kernel is empty or does not fit in guest RAM";
	case LAYOUT_EINITRD:
		return "the initrd does not fit in guest RAM beside the kernel";
	default:
		return "unknown layout error";
	}
}
