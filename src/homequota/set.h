/* homequota set: put one directory under a project with limits. */
#ifndef HOMENFS_SET_H
#define HOMENFS_SET_H

/* argv[0] is "set"; returns an exit code (enum cli_exit). */
int set_command(int argc, char **argv);

#endif
