// Where each dataset comes from and what its labels mean: plain data, without Node.js built-ins, so that the browser
// entry exports them too.

/** Class names of MNIST: the digits '0' to '9', indexed by label. */
export const MNIST_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Class names of Fashion-MNIST in label order, as in its README. */
export const FASHION_MNIST_CLASS_NAMES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/** Where the Debian package `dataset-fashion-mnist` installs the four .gz IDX files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
/** Official download location of the Fashion-MNIST .gz files; override with `baseUrl` for a mirror. */
export const FASHION_MNIST_BASE_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

/** MD5 of the canonical .gz files, as published in the Fashion-MNIST README. */
export const FASHION_MNIST_MD5: Record<string, string> = {
  'train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
  'train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
  't10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
  't10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
};

/** Official download location of the CIFAR-10 binary archive (about 160 MB). */
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
/** MD5 of cifar-10-binary.tar.gz as published on https://www.cs.toronto.edu/~kriz/cifar.html. */
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
/** Class names of CIFAR-10 in label order. */
export const CIFAR10_CLASS_NAMES = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];
