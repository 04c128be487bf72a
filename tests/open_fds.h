/* SPDX-License-Identifier: Apache-2.0 */
/* open_fds.h: how many descriptors this process has open, for the unit
 * tests that check a module closes every file it opened. */
#ifndef TLSD_TESTS_OPEN_FDS_H
#define TLSD_TESTS_OPEN_FDS_H

#include <dirent.h>

/* The entries of /proc/self/fd, less the one opendir() itself holds;
 * -1 without /proc. */
static inline int count_open_fds(void)
{
    DIR *directory = opendir("/proc/self/fd");
    if (directory == NULL)
        return -1;
    int count = 0;
    struct dirent *item;
    while ((item = readdir(directory)) != NULL)
        if (item->d_name[0] != '.')
            count++;
    closedir(directory);
    return count - 1;
}

#endif
