/* uapi/access.h - the modes of access(), Linux's values.  cowl has no
 * owners: it checks existence and the permission bits stat reports
 * (fs/sys_file.c, sys_access). */
#ifndef COWL_UAPI_ACCESS_H
#define COWL_UAPI_ACCESS_H

#define F_OK 0 /* the name exists */
#define X_OK 1
#define W_OK 2
#define R_OK 4

#endif
