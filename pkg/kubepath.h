/* SPDX-License-Identifier: MIT */
/*
 * Kubernetes pods and containers recognised in a cgroup path (relative to the
 * cgroup root, no leading '/').  Pure string work: nothing is read.
 *
 * Pods, both kubelet cgroup drivers, at any depth (kind and minikube nodes
 * nest the kubelet's root: "kubelet.slice/kubelet-kubepods.slice/...",
 * "kubelet/kubepods/..."):
 *   systemd   P.slice/P-burstable.slice/P-burstable-pod<uid>.slice
 *             P.slice/P-besteffort.slice/P-besteffort-pod<uid>.slice
 *             P.slice/P-pod<uid>.slice                       (guaranteed)
 *             where P is "kubepods", or "X-kubepods" directly below "X.slice";
 *             <uid> is the pod UID with '_' for '-'.
 *   cgroupfs  kubepods/burstable/pod<uid>, kubepods/besteffort/pod<uid>,
 *             kubepods/pod<uid>                              (guaranteed)
 * Recognition is strict: the UID must be 36 characters, lower-case hex with
 * the separators at 8, 13, 18 and 23, and the names must be exactly these.
 * The outermost pod of a path is the pod: pod-like names below a pod cgroup
 * (made by a workload in its own delegated subtree) are not pods.
 *
 * Containers: a component "cri-containerd-<id>.scope", "crio-<id>.scope" or
 * "docker-<id>.scope" anywhere in the path (systemd driver, and plain Docker
 * under system.slice), or, directly below a pod cgroup, a bare "<id>" or
 * "crio-<id>" (cgroupfs driver); <id> is 64 lower-case hex digits.
 * "crio-conmon-<id>.scope" (CRI-O's monitor) is not a container.  Containers
 * nest (a kind node is a Docker container holding the node's pods), so
 * kubepath_container() walks them outermost first.
 */
#pragma once

#include <stddef.h>

#include "policy.h"

#define KUBE_CONTAINER_ID_LEN 64

struct kube_pod {
	enum policy_pod_qos qos; /* GUARANTEED, BURSTABLE or BESTEFFORT */
	char uid[POLICY_POD_UID_LEN + 1]; /* lower case, with '-' */
	size_t depth; /* path components up to and including the pod cgroup */
};

struct kube_container {
	char id[KUBE_CONTAINER_ID_LEN + 1];
	size_t depth; /* path components up to and including the container cgroup */
};

/* The pod whose cgroup is @cgroup or one of its ancestors: 0, or -ENOENT. */
int kubepath_pod(const char *cgroup, struct kube_pod *ret);

/*
 * The outermost container cgroup of @cgroup deeper than @after_depth
 * components (0: the outermost of all): 0, or -ENOENT.  Walk them all with
 *     for (d = 0; kubepath_container(cg, d, &c) == 0; d = c.depth)
 */
int kubepath_container(const char *cgroup, size_t after_depth, struct kube_container *ret);
