/* The files both directories of names have (storage/, a provider's
 * datasets/): a listing, a name, its hash or root file, its extended
 * attribute and local copy, each one call of the core's table of the two
 * directories (zg/namedir.h). */
#include <stdio.h>
#include <string.h>

#include "wf.h"
#include "zg/namedir.h"

_Static_assert(ZG_NAMEFILE_MAX == ZGFS_PARAM_MAX, "these file names are path parameters");

/* storage/ is at the top of the mount; any other directory of names is a
 * provider's datasets/ (parameter 0 the provider). The file is the last
 * parameter (a listing's call has the directory's). */
static zg_nameref ref_of(const zgfs_call *c)
{
    size_t n = strlen("/storage");
    bool stored = !strncmp(c->path, "/storage", n) && (c->path[n] == '/' || !c->path[n]);
    return (zg_nameref){.state_dir = zg_session_state_dir(c->fs->session),
                        .dir = stored ? ZG_ND_STORED : ZG_ND_DATASETS,
                        .provider = c->params[0],
                        .file = c->nparams ? c->params[c->nparams - 1] : ""};
}

/* The row's pattern, {NAME} and a suffix, says which files it lists. */
int zgfs_named_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    zg_nameref r = ref_of(c);
    return zg_namedir_list(&r, strchr(zgfs_node_name(c->node), '}') + 1, zgfs_names_add_cb, out,
                           err);
}

int zgfs_named_present(const zgfs_call *c, zg_err *err)
{
    zg_nameref r = ref_of(c);
    zg_dsentry e;
    if (zgfs_payload_pending(c->fs, c->path))
        return 0; /* being written: cp created it */
    return zg_namedir_get(&r, &e, err);
}

int zgfs_named_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zg_nameref r = ref_of(c);
    return zg_namedir_text(&r, out, err);
}

int zgfs_named_xattr(const zgfs_call *c, const char *name, zg_buf *out, zg_err *err)
{
    zg_nameref r = ref_of(c);
    return zg_namedir_xattr(&r, name, out, err);
}

int zgfs_named_local(const zgfs_call *c, char *path, size_t cap, zg_err *err)
{
    zg_nameref r = ref_of(c);
    return zg_namedir_local(&r, path, cap, err);
}

/* The uploaded size, from the index: true while the local copy is gone. */
int zgfs_named_size(const zgfs_call *c, uint64_t *out, zg_err *err)
{
    zg_nameref r = ref_of(c);
    zg_dsentry e;
    if (zg_namedir_get(&r, &e, err))
        return -1;
    *out = e.size;
    return 0;
}

void zgfs_named_added(const zgfs_call *c, const char *name)
{
    zg_nameref r = ref_of(c);
    char parent[ZGFS_PATH_MAX], file[ZG_NAMEFILE_MAX], path[ZGFS_PATH_MAX + ZG_NAMEFILE_MAX];
    snprintf(parent, sizeof parent, "%s", c->path);
    *strrchr(parent, '/') = '\0';
    zgfs_notify_inode(c->fs->notify, c->path);
    for (size_t i = 0; zg_namedir_shown(r.dir, name, i, file); i++) {
        snprintf(path, sizeof path, "%s/%s", parent, file);
        zgfs_notify_inode(c->fs->notify, path);
        zgfs_notify_entry(c->fs->notify, parent, file);
    }
}
