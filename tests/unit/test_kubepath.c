/* SPDX-License-Identifier: MIT */
/*
 * Kubernetes pod and container cgroups recognised in paths: both kubelet
 * drivers, the three runtimes, kind/minikube prefixes, and names that look
 * almost right (which must not be recognised).
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "kubepath.h"
#include "testlib.h"

#define UID "6f9c2a1e-3b4d-4c5e-8f7a-9b0c1d2e3f40"
#define UID_ "6f9c2a1e_3b4d_4c5e_8f7a_9b0c1d2e3f40"
#define UIDB "0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9"
#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

#define G POLICY_POD_QOS_GUARANTEED
#define BU POLICY_POD_QOS_BURSTABLE
#define BE POLICY_POD_QOS_BESTEFFORT

static const struct {
	const char *path;
	enum policy_pod_qos qos; /* POLICY_POD_QOS_ANY: no pod */
	const char *uid;
	size_t depth;
} pods[] = {
	/* systemd driver */
	{ "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice", BU, UID,
	  3 },
	{ "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/cri-containerd-" ID ".scope",
	  BU, UID, 3 },
	{ "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/crio-" ID
	  ".scope",
	  BE, UID, 3 },
	{ "kubepods.slice/kubepods-pod" UID_ ".slice", G, UID, 2 },
	{ "kubepods.slice/kubepods-pod" UID_ ".slice/docker-" ID ".scope/sub", G, UID, 2 },
	/* cgroupfs driver */
	{ "kubepods/burstable/pod" UID "/" ID, BU, UID, 3 },
	{ "kubepods/besteffort/pod" UID, BE, UID, 3 },
	{ "kubepods/pod" UID "/crio-" ID, G, UID, 2 },
	/* kind / minikube: the kubelet's root nested under a prefix */
	{ "kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
	  "kubelet-kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	  BE, UID, 4 },
	{ "kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod" UID_ ".slice", G, UID, 3 },
	{ "kubelet/kubepods/burstable/pod" UID "/" ID, BU, UID, 4 },
	{ "system.slice/docker-" ID2 ".scope/kubelet.slice/kubelet-kubepods.slice/"
	  "kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod" UID_ ".slice",
	  BU, UID, 6 },
	{ "docker/" ID2 "/kubelet/kubepods/pod" UID, G, UID, 5 },
	/* the outermost pod is the pod: pod-like names a workload made below it are not */
	{ "kubepods/besteffort/pod" UID "/" ID "/kubepods/pod" UIDB, BE, UID, 3 },
	{ "kubepods.slice/kubepods-pod" UID_ ".slice/x/kubepods.slice/kubepods-pod" UID_ ".slice",
	  G, UID, 2 },
	/* not pods */
	{ "", POLICY_POD_QOS_ANY, NULL, 0 },
	{ "kubepods.slice", POLICY_POD_QOS_ANY, NULL, 0 },
	{ "kubepods", POLICY_POD_QOS_ANY, NULL, 0 },
	{ "kubepods.slice/kubepods-burstable.slice", POLICY_POD_QOS_ANY, NULL, 0 },
	{ "kubepods/burstable", POLICY_POD_QOS_ANY, NULL, 0 },
	{ "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podNOTAUID.slice",
	  POLICY_POD_QOS_ANY, NULL, 0 },
	{ "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod..", POLICY_POD_QOS_ANY,
	  NULL, 0 },
	/* upper case, dashes on systemd, underscores on cgroupfs, a digit short or over */
	{ "kubepods.slice/kubepods-pod6F9C2A1E_3B4D_4C5E_8F7A_9B0C1D2E3F40.slice",
	  POLICY_POD_QOS_ANY, NULL, 0 },
	{ "kubepods.slice/kubepods-pod" UID ".slice", POLICY_POD_QOS_ANY, NULL, 0 },
	{ "kubepods/pod" UID_, POLICY_POD_QOS_ANY, NULL, 0 },
	{ "kubepods/pod6f9c2a1e-3b4d-4c5e-8f7a-9b0c1d2e3f4", POLICY_POD_QOS_ANY, NULL, 0 },
	{ "kubepods/pod" UID "0", POLICY_POD_QOS_ANY, NULL, 0 },
	{ "kubepods.slice/kubepods-pod" UID_ "x.slice", POLICY_POD_QOS_ANY, NULL, 0 },
	{ "kubepods.slice/kubepods-pod" UID_ ".scope", POLICY_POD_QOS_ANY, NULL, 0 },
	/* a guaranteed class directory does not exist */
	{ "kubepods/guaranteed/pod" UID, POLICY_POD_QOS_ANY, NULL, 0 },
	/* the pod slice of another class than its parent, or another stem */
	{ "kubepods.slice/kubepods-burstable.slice/kubepods-besteffort-pod" UID_ ".slice",
	  POLICY_POD_QOS_ANY, NULL, 0 },
	{ "kubepods.slice/kubelet-kubepods-pod" UID_ ".slice", POLICY_POD_QOS_ANY, NULL, 0 },
	/* a nested slice name not below its parent slice is no systemd slice */
	{ "kubelet-kubepods.slice/kubelet-kubepods-pod" UID_ ".slice", POLICY_POD_QOS_ANY, NULL,
	  0 },
	{ "foo.slice/kubelet-kubepods.slice/kubelet-kubepods-pod" UID_ ".slice", POLICY_POD_QOS_ANY,
	  NULL, 0 },
	{ "-kubepods.slice/-kubepods-pod" UID_ ".slice", POLICY_POD_QOS_ANY, NULL, 0 },
	/* the drivers do not mix */
	{ "kubepods.slice/pod" UID, POLICY_POD_QOS_ANY, NULL, 0 },
	{ "kubepods/kubepods-pod" UID_ ".slice", POLICY_POD_QOS_ANY, NULL, 0 },
};

START_TEST(test_pods)
{
	struct kube_pod pod = { .qos = 99, .uid = "untouched", .depth = 42 };
	int r = kubepath_pod(pods[_i].path, &pod);

	if (pods[_i].qos == POLICY_POD_QOS_ANY) {
		ck_assert_msg(r == -ENOENT, "\"%s\": a pod (%d, %s)", pods[_i].path, r, pod.uid);
		ck_assert_str_eq(pod.uid, "untouched");
		ck_assert_uint_eq(pod.depth, 42);
		return;
	}
	ck_assert_msg(r == 0, "\"%s\": not a pod (%d)", pods[_i].path, r);
	ck_assert_msg(pod.qos == pods[_i].qos, "\"%s\": qos %d", pods[_i].path, pod.qos);
	ck_assert_str_eq(pod.uid, pods[_i].uid);
	ck_assert_msg(pod.depth == pods[_i].depth, "\"%s\": depth %zu, expected %zu", pods[_i].path,
		      pod.depth, pods[_i].depth);
}
END_TEST

static const struct {
	const char *path;
	const char *id; /* the outermost container, NULL: none */
	size_t depth;
} containers[] = {
	/* systemd driver: containerd, CRI-O, Docker (cri-dockerd) */
	{ "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/cri-containerd-" ID ".scope",
	  ID, 4 },
	{ "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/crio-" ID
	  ".scope/child",
	  ID, 4 },
	{ "kubepods.slice/kubepods-pod" UID_ ".slice/docker-" ID ".scope", ID, 3 },
	/* plain Docker on a systemd host */
	{ "system.slice/docker-" ID ".scope", ID, 2 },
	/* cgroupfs driver: bare id or crio-<id> directly below the pod */
	{ "kubepods/burstable/pod" UID "/" ID, ID, 4 },
	{ "kubepods/pod" UID "/" ID "/sub", ID, 3 },
	{ "kubepods/besteffort/pod" UID "/crio-" ID, ID, 4 },
	/* kind: outermost first */
	{ "system.slice/docker-" ID2 ".scope/kubelet.slice/kubelet-kubepods.slice/"
	  "kubelet-kubepods-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	  ID2, 2 },
	{ "kubelet/kubepods/burstable/pod" UID "/" ID, ID, 5 },
	/* not containers */
	{ "", NULL, 0 },
	{ "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/crio-conmon-" ID ".scope",
	  NULL, 0 },
	{ "kubepods.slice/kubepods-pod" UID_ ".slice/"
	  "cri-containerd-0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef.scope",
	  NULL, 0 },
	/* 63 and 65 hex digits */
	{ "system.slice/"
	  "docker-123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope",
	  NULL, 0 },
	{ "system.slice/docker-" ID "0.scope", NULL, 0 },
	{ "system.slice/docker-" ID ".scope.x", NULL, 0 },
	{ "system.slice/docker-" ID, NULL, 0 },
	{ "system.slice/containerd-" ID ".scope", NULL, 0 },
	/* 12 digits are an id prefix in a policy, never a cgroup name */
	{ "kubepods/pod" UID "/0123456789ab", NULL, 0 },
	{ "kubepods/pod" UID "/" ID "0", NULL, 0 },
	/* bare ids only directly below a pod */
	{ "system.slice/" ID, NULL, 0 },
	{ "kubepods/pod" UID "/x/" ID, NULL, 0 },
	{ "kubepods/burstable/" ID, NULL, 0 },
	{ "kubepods/pod" UID "/crio-conmon-" ID, NULL, 0 },
};

START_TEST(test_containers)
{
	struct kube_container c = { .id = "untouched", .depth = 42 };
	int r = kubepath_container(containers[_i].path, 0, &c);

	if (!containers[_i].id) {
		ck_assert_msg(r == -ENOENT, "\"%s\": a container (%d, %s)", containers[_i].path, r,
			      c.id);
		ck_assert_str_eq(c.id, "untouched");
		ck_assert_uint_eq(c.depth, 42);
		return;
	}
	ck_assert_msg(r == 0, "\"%s\": no container (%d)", containers[_i].path, r);
	ck_assert_str_eq(c.id, containers[_i].id);
	ck_assert_msg(c.depth == containers[_i].depth, "\"%s\": depth %zu, expected %zu",
		      containers[_i].path, c.depth, containers[_i].depth);
}
END_TEST

/* The documented walk visits nested containers outermost first and ends. */
START_TEST(test_container_walk)
{
	static const char path[] = "system.slice/docker-" ID2 ".scope/kubelet.slice/"
				   "kubelet-kubepods.slice/kubelet-kubepods-pod" UID_
				   ".slice/cri-containerd-" ID ".scope/inner";
	struct kube_container c;
	const char *seen[4];
	size_t depths[4], n = 0;

	for (size_t d = 0; kubepath_container(path, d, &c) == 0; d = c.depth) {
		ck_assert_uint_lt(n, 4);
		seen[n] = c.id[0] == 'f' ? ID2 : ID;
		ck_assert_str_eq(c.id, seen[n]);
		depths[n++] = c.depth;
	}
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(seen[0], ID2);
	ck_assert_uint_eq(depths[0], 2);
	ck_assert_str_eq(seen[1], ID);
	ck_assert_uint_eq(depths[1], 6);
	ck_assert_int_eq(kubepath_container(path, 6, &c), -ENOENT);
}
END_TEST

static Suite *kubepath_suite(void)
{
	Suite *s = suite_create("kubepath");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_pods, 0, ARRAY_SIZE(pods));
	tcase_add_loop_test(tc, test_containers, 0, ARRAY_SIZE(containers));
	tcase_add_test(tc, test_container_walk);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(kubepath_suite());
}
